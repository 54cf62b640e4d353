// Community detection procedures from Cypher. Needs Neo4j with the gml plugin and `neo4j-gml serve`.
// Everything here uses the label :GmlCommunity, so other data is left alone.

MATCH (n:GmlCommunity) DETACH DELETE n;

// Two triangles joined by one edge, and a separate pair; `seed` for seeded runs, `x`, `y` features.
CREATE (a:GmlCommunity {name: 'a', seed: 0, x: 0.0, y: 0.1}),
       (b:GmlCommunity {name: 'b', seed: 0, x: 0.1, y: 0.0}),
       (c:GmlCommunity {name: 'c', seed: 0, x: 0.2, y: 0.2}),
       (d:GmlCommunity {name: 'd', seed: 1, x: 5.0, y: 5.1}),
       (e:GmlCommunity {name: 'e', seed: 1, x: 5.1, y: 5.0}),
       (f:GmlCommunity {name: 'f', seed: 1, x: 5.2, y: 5.2}),
       (g:GmlCommunity {name: 'g', seed: 2, x: 9.0, y: 0.0}),
       (h:GmlCommunity {name: 'h', seed: 2, x: 9.1, y: 0.1}),
       (a)-[:KNOWS]->(b), (b)-[:KNOWS]->(c), (c)-[:KNOWS]->(a),
       (d)-[:KNOWS]->(e), (e)-[:KNOWS]->(f), (f)-[:KNOWS]->(d),
       (c)-[:KNOWS]->(d), (g)-[:KNOWS]->(h);

// ---- connected components
CALL gml.wcc.stream({nodeLabels: ['GmlCommunity']}) YIELD node, componentId
RETURN componentId, collect(node.name) AS members ORDER BY componentId;
CALL gml.wcc.stats({nodeLabels: ['GmlCommunity']}) YIELD componentCount RETURN componentCount;
CALL gml.wcc.write({nodeLabels: ['GmlCommunity'], writeProperty: 'component'})
YIELD nodePropertiesWritten, componentCount RETURN nodePropertiesWritten, componentCount;
MATCH (n:GmlCommunity) RETURN n.component AS component, count(*) AS size ORDER BY component;

CALL gml.scc.stream({nodeLabels: ['GmlCommunity']}) YIELD node, componentId
RETURN componentId, collect(node.name) AS members ORDER BY componentId;
CALL gml.scc.stats({nodeLabels: ['GmlCommunity']}) YIELD componentCount RETURN componentCount;
CALL gml.scc.write({nodeLabels: ['GmlCommunity'], writeProperty: 'scc'})
YIELD nodePropertiesWritten RETURN nodePropertiesWritten;

// ---- modularity-based communities (undirected), label propagation
CALL gml.louvain.stream({nodeLabels: ['GmlCommunity'], orientation: 'UNDIRECTED'})
YIELD node, communityId
RETURN communityId, collect(node.name) AS members ORDER BY communityId;
CALL gml.louvain.stats({nodeLabels: ['GmlCommunity'], orientation: 'UNDIRECTED'})
YIELD communityCount, modularity RETURN communityCount, modularity;
CALL gml.louvain.write({nodeLabels: ['GmlCommunity'], orientation: 'UNDIRECTED',
                        writeProperty: 'louvain'})
YIELD nodePropertiesWritten RETURN nodePropertiesWritten;

CALL gml.leiden.stream({nodeLabels: ['GmlCommunity'], orientation: 'UNDIRECTED'})
YIELD node, communityId
RETURN communityId, collect(node.name) AS members ORDER BY communityId;
CALL gml.leiden.stats({nodeLabels: ['GmlCommunity'], orientation: 'UNDIRECTED'})
YIELD communityCount RETURN communityCount;
CALL gml.leiden.write({nodeLabels: ['GmlCommunity'], orientation: 'UNDIRECTED',
                       writeProperty: 'leiden'})
YIELD nodePropertiesWritten RETURN nodePropertiesWritten;

CALL gml.labelPropagation.stream({nodeLabels: ['GmlCommunity'], orientation: 'UNDIRECTED'})
YIELD node, communityId
RETURN communityId, collect(node.name) AS members ORDER BY communityId;
CALL gml.labelPropagation.stats({nodeLabels: ['GmlCommunity'], orientation: 'UNDIRECTED'})
YIELD communityCount RETURN communityCount;
CALL gml.labelPropagation.write({nodeLabels: ['GmlCommunity'], orientation: 'UNDIRECTED',
                                 seedProperty: 'seed', writeProperty: 'lpa'})
YIELD nodePropertiesWritten RETURN nodePropertiesWritten;

// ---- quality of a partition held in a property (here: the Louvain result written above)
CALL gml.modularity.stream({nodeLabels: ['GmlCommunity'], orientation: 'UNDIRECTED',
                            communityProperty: 'louvain'})
YIELD communityId, modularity RETURN communityId, modularity ORDER BY communityId;
CALL gml.modularity.stats({nodeLabels: ['GmlCommunity'], orientation: 'UNDIRECTED',
                           communityProperty: 'louvain'})
YIELD nodeCount RETURN nodeCount;
CALL gml.conductance.stream({nodeLabels: ['GmlCommunity'], communityProperty: 'louvain'})
YIELD community, conductance RETURN community, conductance ORDER BY community;
CALL gml.conductance.stats({nodeLabels: ['GmlCommunity'], communityProperty: 'louvain'})
YIELD nodeCount RETURN nodeCount;

// ---- triangles and clustering coefficients
CALL gml.triangleCount.stream({nodeLabels: ['GmlCommunity'], orientation: 'UNDIRECTED'})
YIELD node, triangleCount RETURN node.name AS name, triangleCount ORDER BY name;
CALL gml.triangleCount.stats({nodeLabels: ['GmlCommunity'], orientation: 'UNDIRECTED'})
YIELD nodeCount RETURN nodeCount;
CALL gml.triangleCount.write({nodeLabels: ['GmlCommunity'], orientation: 'UNDIRECTED',
                              writeProperty: 'triangles'})
YIELD nodePropertiesWritten RETURN nodePropertiesWritten;

CALL gml.localClusteringCoefficient.stream({nodeLabels: ['GmlCommunity'], orientation: 'UNDIRECTED'})
YIELD node, localClusteringCoefficient
RETURN node.name AS name, localClusteringCoefficient ORDER BY name;
CALL gml.localClusteringCoefficient.stats({nodeLabels: ['GmlCommunity'], orientation: 'UNDIRECTED'})
YIELD nodeCount RETURN nodeCount;
CALL gml.localClusteringCoefficient.write({nodeLabels: ['GmlCommunity'], orientation: 'UNDIRECTED',
                                           writeProperty: 'clustering'})
YIELD nodePropertiesWritten RETURN nodePropertiesWritten;

// ---- k-means on a numeric property per node: here a 2-d point built from x and y
MATCH (n:GmlCommunity) SET n.point = [n.x, n.y];
CALL gml.kmeans.stream({nodeLabels: ['GmlCommunity'], nodeProperty: 'point', k: 3, randomSeed: 1})
YIELD node, communityId, distanceFromCentroid
RETURN communityId, collect(node.name) AS members ORDER BY communityId;
CALL gml.kmeans.stats({nodeLabels: ['GmlCommunity'], nodeProperty: 'point', k: 3, randomSeed: 1})
YIELD communityCount RETURN communityCount;
CALL gml.kmeans.write({nodeLabels: ['GmlCommunity'], nodeProperty: 'point', k: 3, randomSeed: 1,
                       writeProperty: 'kmeans'})
YIELD nodePropertiesWritten RETURN nodePropertiesWritten;

// ---- local clustering around a seed node given straight from Cypher
MATCH (a:GmlCommunity {name: 'a'})
CALL gml.localClustering.stream({nodeLabels: ['GmlCommunity'], orientation: 'UNDIRECTED',
                                 sourceNodes: [a]})
YIELD node RETURN node.name AS inCluster ORDER BY inCluster;
MATCH (a:GmlCommunity {name: 'a'})
CALL gml.localClustering.stats({nodeLabels: ['GmlCommunity'], orientation: 'UNDIRECTED',
                                sourceNodes: [a]})
YIELD nodeCount RETURN nodeCount;
MATCH (a:GmlCommunity {name: 'a'})
CALL gml.localClustering.write({nodeLabels: ['GmlCommunity'], orientation: 'UNDIRECTED',
                                sourceNodes: [a], writeProperty: 'localCluster'})
YIELD nodePropertiesWritten RETURN nodePropertiesWritten;

MATCH (n:GmlCommunity)
RETURN n.name AS name, n.component AS wcc, n.louvain AS louvain, n.leiden AS leiden,
       n.kmeans AS kmeans, n.triangles AS triangles
ORDER BY name;

MATCH (n:GmlCommunity) DETACH DELETE n;
