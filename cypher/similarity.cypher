// Similarity procedures from Cypher. Needs Neo4j with the gml plugin and `neo4j-gml serve`.
// Everything here uses the labels :GmlPerson and :GmlItem, so other data is left alone.

MATCH (n) WHERE n:GmlPerson OR n:GmlItem DETACH DELETE n;

CREATE (alice:GmlPerson {name: 'Alice', age: 30.0, taste: [1.0, 0.0, 0.5]}),
       (bob:GmlPerson {name: 'Bob', age: 32.0, taste: [0.9, 0.1, 0.4]}),
       (carol:GmlPerson {name: 'Carol', age: 60.0, taste: [0.0, 1.0, 0.2]}),
       (dave:GmlPerson {name: 'Dave', age: 58.0, taste: [0.1, 0.9, 0.3]}),
       (guitar:GmlItem {name: 'guitar'}), (piano:GmlItem {name: 'piano'}),
       (drums:GmlItem {name: 'drums'}),
       (alice)-[:LIKES]->(guitar), (alice)-[:LIKES]->(piano), (bob)-[:LIKES]->(guitar),
       (bob)-[:LIKES]->(piano), (carol)-[:LIKES]->(drums), (dave)-[:LIKES]->(drums),
       (dave)-[:LIKES]->(piano);

// ---- node similarity: Jaccard over shared neighbours (who likes the same items)
CALL gml.nodeSimilarity.stream({nodeLabels: ['GmlPerson', 'GmlItem'], relationshipTypes: ['LIKES'],
                                topK: 2})
YIELD node1, node2, similarity
RETURN gml.util.asNode(node1).name AS person1, gml.util.asNode(node2).name AS person2, similarity
ORDER BY similarity DESC, person1;
CALL gml.nodeSimilarity.stats({nodeLabels: ['GmlPerson', 'GmlItem'], relationshipTypes: ['LIKES']})
YIELD similarityPairs RETURN similarityPairs;
CALL gml.nodeSimilarity.write({nodeLabels: ['GmlPerson', 'GmlItem'], relationshipTypes: ['LIKES'],
                               writeRelationshipType: 'GML_SIMILAR', writeProperty: 'score'})
YIELD relationshipsWritten RETURN relationshipsWritten;
MATCH (a:GmlPerson)-[s:GML_SIMILAR]->(b:GmlPerson)
RETURN a.name AS person1, b.name AS person2, s.score AS score ORDER BY score DESC, person1;

// ---- k-nearest neighbours on node properties (taste vectors)
CALL gml.knn.stream({nodeLabels: ['GmlPerson'], nodeProperties: ['taste'], topK: 1, randomSeed: 3})
YIELD node1, node2, similarity
WITH gml.util.asNodes([node1, node2]) AS pair, similarity
RETURN pair[0].name AS person, pair[1].name AS nearest, similarity ORDER BY person;
CALL gml.knn.stats({nodeLabels: ['GmlPerson'], nodeProperties: ['taste'], topK: 1, randomSeed: 3})
YIELD similarityPairs RETURN similarityPairs;
CALL gml.knn.write({nodeLabels: ['GmlPerson'], nodeProperties: ['taste'], topK: 1, randomSeed: 3,
                    writeRelationshipType: 'GML_KNN', writeProperty: 'score'})
YIELD relationshipsWritten RETURN relationshipsWritten;
MATCH (a:GmlPerson)-[s:GML_KNN]->(b:GmlPerson)
RETURN a.name AS person, b.name AS nearest, s.score AS score ORDER BY person;

MATCH (n) WHERE n:GmlPerson OR n:GmlItem DETACH DELETE n;

// ---- filtered node similarity and kNN (GDS's nodeSimilarity.filtered and knn.filtered): on a
// named graph, which knows its labels, a label (or node ids, or nodes) says which nodes get
// results (sourceNodeFilter) and which can be one (targetNodeFilter). GDS's examples:
CREATE (alice:GmlPerson:GmlSinger {name: 'Alice'}), (bob:GmlPerson:GmlSinger {name: 'Bob'}),
       (carol:GmlPerson:GmlSinger {name: 'Carol'}), (dave:GmlPerson {name: 'Dave'}),
       (eve:GmlPerson:GmlSinger {name: 'Eve'}), (guitar:GmlItem {name: 'Guitar'}),
       (synth:GmlItem {name: 'Synthesizer'}), (bongos:GmlItem {name: 'Bongos'}),
       (trumpet:GmlItem {name: 'Trumpet'}),
       (alice)-[:LIKES]->(guitar), (alice)-[:LIKES]->(synth), (alice)-[:LIKES]->(bongos),
       (bob)-[:LIKES]->(guitar), (bob)-[:LIKES]->(synth), (carol)-[:LIKES]->(bongos),
       (dave)-[:LIKES]->(guitar), (dave)-[:LIKES]->(synth), (dave)-[:LIKES]->(bongos),
       (:GmlVeggie:GmlVegan {name: 'Alice', age: 24.0}), (:GmlVeggie:GmlVegan {name: 'Bob', age: 73.0}),
       (:GmlVeggie {name: 'Carol', age: 24.0}), (:GmlVeggie:GmlVegan {name: 'Dave', age: 48.0}),
       (:GmlVeggie:GmlVegan {name: 'Eve', age: 67.0});

CALL gml.graph.project('gmlSingers', {GmlPerson: {}, GmlSinger: {}, GmlItem: {}}, 'LIKES')
YIELD graphName RETURN graphName;
CALL gml.nodeSimilarity.filtered.stream('gmlSingers', {sourceNodeFilter: 'GmlSinger',
                                                       targetNodeFilter: 'GmlSinger'})
YIELD node1, node2, similarity
RETURN gml.util.asNode(node1).name AS person1, gml.util.asNode(node2).name AS person2, similarity
ORDER BY similarity DESC, person1, person2;
CALL gml.nodeSimilarity.filtered.stats('gmlSingers', {sourceNodeFilter: 'GmlSinger',
                                                      targetNodeFilter: 'GmlSinger'})
YIELD nodesCompared, similarityPairs RETURN nodesCompared, similarityPairs;
MATCH (carol:GmlSinger {name: 'Carol'})
CALL gml.nodeSimilarity.filtered.stream('gmlSingers', {sourceNodeFilter: [carol]})
YIELD node1, node2, similarity
RETURN gml.util.asNode(node2).name AS similarToCarol, similarity ORDER BY similarity DESC;

CALL gml.graph.project('gmlVeggies', {GmlVeggie: {properties: ['age']},
                                      GmlVegan: {properties: ['age']}}, 'LIKES')
YIELD graphName RETURN graphName;
CALL gml.knn.filtered.stream('gmlVeggies', {topK: 1, nodeProperties: ['age'],
                                            sourceNodeFilter: 'GmlVegan', randomSeed: 1337,
                                            sampleRate: 1.0, deltaThreshold: 0.0})
YIELD node1, node2, similarity
RETURN gml.util.asNode(node1).name AS person1, gml.util.asNode(node2).name AS person2, similarity
ORDER BY similarity DESC, person1, person2;
CALL gml.knn.filtered.stream('gmlVeggies', {topK: 1, nodeProperties: ['age'],
                                            targetNodeFilter: 'GmlVegan', seedTargetNodes: true,
                                            similarityCutoff: 0.3, randomSeed: 1337,
                                            sampleRate: 1.0, deltaThreshold: 0.0})
YIELD node1, node2, similarity
RETURN gml.util.asNode(node1).name AS person1, gml.util.asNode(node2).name AS person2, similarity
ORDER BY similarity DESC, person1, person2;

CALL gml.graph.drop('gmlSingers') YIELD graphName RETURN graphName;
CALL gml.graph.drop('gmlVeggies') YIELD graphName RETURN graphName;
MATCH (n) WHERE n:GmlPerson OR n:GmlItem OR n:GmlVeggie DETACH DELETE n;

// ---- similarity functions, row by row in the plugin (GDS's gds.similarity.*, renamed)
RETURN gml.similarity.jaccard([1.0, 5.0, 3.0, 6.7], [5.0, 2.5, 3.1, 9.0]) AS jaccard,
       gml.similarity.overlap([1.0, 5.0, 3.0, 6.7], [5.0, 2.5, 3.1, 9.0]) AS overlap,
       gml.similarity.cosine([1.0, 5.0, 3.0, 6.7], [5.0, 2.5, 3.1, 9.0]) AS cosine,
       gml.similarity.pearson([1.0, 5.0, 3.0, 6.7], [5.0, 2.5, 3.1, 9.0]) AS pearson,
       gml.similarity.euclidean([1.0, 5.0, 3.0, 6.7], [5.0, 2.5, 3.1, 9.0]) AS euclidean,
       gml.similarity.euclideanDistance([1.0, 5.0, 3.0, 6.7], [5.0, 2.5, 3.1, 9.0]) AS distance;
