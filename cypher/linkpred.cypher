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

MATCH (n:GmlFriend) DETACH DELETE n;
