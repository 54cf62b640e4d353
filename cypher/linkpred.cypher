// Link prediction procedures from Cypher. Needs Neo4j with the gml plugin and `neo4j-gml serve`.
// Everything here uses the label :GmlFriend, so other data is left alone.

MATCH (n:GmlFriend) DETACH DELETE n;

CREATE (a:GmlFriend {name: 'Ann'}), (b:GmlFriend {name: 'Ben'}), (c:GmlFriend {name: 'Cat'}),
       (d:GmlFriend {name: 'Dan'}), (e:GmlFriend {name: 'Eva'}),
       (a)-[:FRIEND]->(b), (a)-[:FRIEND]->(c), (b)-[:FRIEND]->(c), (c)-[:FRIEND]->(d),
       (b)-[:FRIEND]->(d), (d)-[:FRIEND]->(e);

// ---- score given pairs (nodes straight from Cypher) with a topological measure
MATCH (a:GmlFriend {name: 'Ann'}), (d:GmlFriend {name: 'Dan'}), (e:GmlFriend {name: 'Eva'})
CALL gml.linkScore.stream({nodeLabels: ['GmlFriend'], orientation: 'UNDIRECTED',
                           measure: 'commonNeighbors', pairs: [[a, d], [a, e]]})
YIELD source, target, score
RETURN gml.util.asNode(source).name AS source, gml.util.asNode(target).name AS target, score;
MATCH (a:GmlFriend {name: 'Ann'}), (d:GmlFriend {name: 'Dan'})
CALL gml.linkScore.stats({nodeLabels: ['GmlFriend'], orientation: 'UNDIRECTED',
                          sourceNodes: [a], targetNodes: [d]})
YIELD nodeCount RETURN nodeCount;

// ---- the best new links per node, written as relationships
CALL gml.linkCandidates.stream({nodeLabels: ['GmlFriend'], orientation: 'UNDIRECTED', topK: 2})
YIELD node1, node2, score
MATCH (x) WHERE id(x) = node1 MATCH (y) WHERE id(y) = node2
RETURN x.name AS person, y.name AS suggested, score ORDER BY score DESC, person;
CALL gml.linkCandidates.stats({nodeLabels: ['GmlFriend'], orientation: 'UNDIRECTED', topK: 2})
YIELD nodeCount RETURN nodeCount;
CALL gml.linkCandidates.write({nodeLabels: ['GmlFriend'], orientation: 'UNDIRECTED', topK: 2,
                               writeRelationshipType: 'GML_SUGGESTED', writeProperty: 'score'})
YIELD relationshipsWritten RETURN relationshipsWritten;
MATCH (x:GmlFriend)-[s:GML_SUGGESTED]->(y:GmlFriend)
RETURN x.name AS person, y.name AS suggested, s.score AS score ORDER BY score DESC, person;

// ---- learned link predictors: NCNC (NCN with common-neighbour completion) and SEAL
// (a GNN over each pair's enclosing subgraph), trained on a split of the relationships
MATCH (n:GmlClique) DETACH DELETE n;
UNWIND range(0, 23) AS i
CREATE (:GmlClique {id: i, f: [c IN range(0, 2) | CASE WHEN i / 8 = c THEN 1.0 ELSE 0.0 END]});
MATCH (a:GmlClique), (b:GmlClique)
WHERE a.id < b.id AND (a.id / 8 = b.id / 8 OR (a.id % 8 = 0 AND b.id = (a.id + 8) % 24))
CREATE (a)-[:TIE]->(b);
CALL gml.linkPrediction.gnn.train.stats({nodeLabels: ['GmlClique'], orientation: 'UNDIRECTED',
    featureProperties: ['f'], modelName: 'cliques-ncnc', model: 'NCNC', hiddenDimension: 16,
    epochs: 10, batchSize: 16, inputDropout: 0.0, hitsK: 5, randomSeed: 1})
YIELD modelInfo, testMetrics
RETURN modelInfo.modelName AS model, testMetrics.aucRoc AS aucRoc;
CALL gml.linkPrediction.gnn.train.stats({nodeLabels: ['GmlClique'], orientation: 'UNDIRECTED',
    featureProperties: ['f'], modelName: 'cliques-seal', model: 'SEAL', hops: 1,
    hiddenDimension: 16, epochs: 10, batchSize: 16, hitsK: 5, randomSeed: 1})
YIELD modelInfo, testMetrics
RETURN modelInfo.modelName AS model, testMetrics.aucRoc AS aucRoc;
CALL gml.linkPrediction.predict.stream({nodeLabels: ['GmlClique'], orientation: 'UNDIRECTED',
    modelName: 'cliques-seal', topN: 1})
YIELD node1, node2, probability
RETURN gml.util.asNode(node1).id AS a, gml.util.asNode(node2).id AS b, probability
ORDER BY probability DESC LIMIT 5;
CALL gml.model.drop({modelName: 'cliques-ncnc'}) YIELD modelName RETURN modelName;
CALL gml.model.drop({modelName: 'cliques-seal'}) YIELD modelName RETURN modelName;
MATCH (n:GmlClique) DETACH DELETE n;

MATCH (n:GmlFriend) DETACH DELETE n;

// ---- link prediction functions, row by row in the plugin from the stored graph
// (GDS's gds.alpha.linkprediction.*; the gml.alpha.linkprediction.* names work too)
MATCH (n:GmlFnPerson) DETACH DELETE n;
CREATE (zhen:GmlFnPerson {name: 'Zhen', community: 1}),
       (praveena:GmlFnPerson {name: 'Praveena', community: 2}),
       (michael:GmlFnPerson {name: 'Michael', community: 1}),
       (arya:GmlFnPerson {name: 'Arya'}), (karin:GmlFnPerson {name: 'Karin', community: 2}),
       (zhen)-[:FRIENDS]->(arya), (zhen)-[:FRIENDS]->(praveena),
       (praveena)-[:WORKS_WITH]->(karin), (praveena)-[:FRIENDS]->(michael),
       (michael)-[:WORKS_WITH]->(karin), (arya)-[:FRIENDS]->(karin);
MATCH (p1:GmlFnPerson {name: 'Michael'}), (p2:GmlFnPerson {name: 'Karin'})
RETURN gml.linkprediction.adamicAdar(p1, p2) AS adamicAdar,
       gml.linkprediction.commonNeighbors(p1, p2) AS commonNeighbors,
       gml.linkprediction.preferentialAttachment(p1, p2, {relationshipQuery: 'FRIENDS'}) AS pa,
       gml.linkprediction.resourceAllocation(p1, p2, {direction: 'OUTGOING'}) AS ra,
       gml.linkprediction.totalNeighbors(p1, p2) AS totalNeighbors,
       gml.linkprediction.sameCommunity(p1, p2) AS sameCommunity;
MATCH (n:GmlFnPerson) DETACH DELETE n;
