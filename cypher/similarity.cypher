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
