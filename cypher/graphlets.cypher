// Graphlet orbits from Cypher: where each node sits in the small induced subgraphs around it.
// Needs Neo4j with the gml plugin and `neo4j-gml serve`. Uses the label :GmlRole only.

MATCH (n:GmlRole) DETACH DELETE n;

// a 5-clique (a tight team), a hub with 6 leaves, and a bridge between them
UNWIND range(0, 11) AS i CREATE (:GmlRole {i: i});
MATCH (a:GmlRole), (b:GmlRole) WHERE a.i < b.i AND b.i < 5 CREATE (a)-[:LINK]->(b);
MATCH (h:GmlRole {i: 5}), (leaf:GmlRole) WHERE leaf.i > 5 CREATE (h)-[:LINK]->(leaf);
MATCH (a:GmlRole {i: 0}), (h:GmlRole {i: 5}) CREATE (a)-[:LINK]->(h);

// orbit 14 counts 4-cliques through a node, 7 the centre of a 3-star, 6 a star's leaf
CALL gml.graphletOrbits.stream({nodeLabels: ['GmlRole'], relationshipTypes: ['LINK']})
YIELD node, orbitCounts
RETURN node.i AS i, orbitCounts[0] AS degree, orbitCounts[14] AS cliques4,
       orbitCounts[7] AS starCentre, orbitCounts[6] AS starLeaf ORDER BY i;

CALL gml.graphletOrbits.stats({nodeLabels: ['GmlRole'], relationshipTypes: ['LINK']})
YIELD graphletCounts RETURN graphletCounts;

// the vector as a property, ready for similarity search over structural roles
CALL gml.graphletOrbits.write({nodeLabels: ['GmlRole'], relationshipTypes: ['LINK'],
  writeProperty: 'orbits'}) YIELD nodePropertiesWritten RETURN nodePropertiesWritten;
MATCH (n:GmlRole {i: 5}) RETURN n.orbits AS hubOrbits;


// subgraph counts: the 4-cliques each node is in, the claws, the triangles on each relationship
CALL gml.subgraphCount.stream({nodeLabels: ['GmlRole'], relationshipTypes: ['LINK'],
  pattern: 'CLIQUE4'}) YIELD node, count RETURN node.i AS i, count ORDER BY i;
CALL gml.subgraphCount.stats({nodeLabels: ['GmlRole'], relationshipTypes: ['LINK'],
  pattern: 'STAR3', countType: 'INDUCED'}) YIELD globalCount RETURN globalCount;
CALL gml.subgraphCount.relationships.stream({nodeLabels: ['GmlRole'], relationshipTypes: ['LINK'],
  pattern: 'TRIANGLE'}) YIELD node1, node2, count
RETURN gml.util.asNode(node1).i AS a, gml.util.asNode(node2).i AS b, count ORDER BY a, b;

// orbit adjacency: pairs at distance 2 in a 3-path (ends, orbit 1 and 1), and the ends of 4-paths
CALL gml.orbitAdjacency.stream({nodeLabels: ['GmlRole'], relationshipTypes: ['LINK'],
  orbit1: 1, orbit2: 1}) YIELD node1, node2, count
RETURN gml.util.asNode(node1).i AS a, gml.util.asNode(node2).i AS b, count ORDER BY a, b LIMIT 5;
CALL gml.orbitAdjacency.stats({nodeLabels: ['GmlRole'], relationshipTypes: ['LINK'],
  orbit1: 4, orbit2: 4, hop: 3}) YIELD relationshipCount, totalCount
RETURN relationshipCount, totalCount;

// GOPMI embeddings of the edge and of the edge inside 3- and 4-node paths, written back
CALL gml.orbitEmbedding.write({nodeLabels: ['GmlRole'], relationshipTypes: ['LINK'],
  embeddingDimension: 4, randomSeed: 1, writeProperty: 'gopmi'})
YIELD nodePropertiesWritten RETURN nodePropertiesWritten;

MATCH (n:GmlRole) DETACH DELETE n;
