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

// ---- triangle listing (GDS's gds.triangles): every triangle once, nodeA < nodeB < nodeC;
// GDS's example: Michael is in all three triangles, Alice in none
CREATE (alice:GmlCommunity {name: 'Alice'}), (michael:GmlCommunity {name: 'Michael'}),
       (karin:GmlCommunity {name: 'Karin'}), (chris:GmlCommunity {name: 'Chris'}),
       (will:GmlCommunity {name: 'Will'}), (mark:GmlCommunity {name: 'Mark'}),
       (michael)-[:KNOWS]->(karin), (michael)-[:KNOWS]->(chris), (will)-[:KNOWS]->(michael),
       (mark)-[:KNOWS]->(michael), (mark)-[:KNOWS]->(will), (alice)-[:KNOWS]->(michael),
       (will)-[:KNOWS]->(chris), (chris)-[:KNOWS]->(karin);
CALL gml.triangles({nodeLabels: ['GmlCommunity'], relationshipTypes: ['KNOWS']})
YIELD nodeA, nodeB, nodeC
RETURN gml.util.asNode(nodeA).name AS nodeA, gml.util.asNode(nodeB).name AS nodeB,
       gml.util.asNode(nodeC).name AS nodeC
ORDER BY nodeA, nodeB, nodeC;
MATCH (n:GmlCommunity) DETACH DELETE n;

// ---- K-1 colouring and modularity optimisation (GDS's gds.k1coloring,
// gds.modularityOptimization) on GDS's examples: Alice links to everyone, so no one shares
// her colour (3 colours); the weighted graph splits into Alice's and Bridget's groups
CREATE (alice:GmlCommunity {name: 'Alice'}), (bridget:GmlCommunity {name: 'Bridget'}),
       (charles:GmlCommunity {name: 'Charles'}), (doug:GmlCommunity {name: 'Doug'}),
       (elton:GmlCommunity {name: 'Elton'}), (frank:GmlCommunity {name: 'Frank'}),
       (alice)-[:LINK]->(bridget), (alice)-[:LINK]->(charles), (alice)-[:LINK]->(doug),
       (bridget)-[:LINK]->(charles),
       (alice)-[:KNOWS {weight: 0.01}]->(bridget), (alice)-[:KNOWS {weight: 5.0}]->(elton),
       (alice)-[:KNOWS {weight: 5.0}]->(frank), (bridget)-[:KNOWS {weight: 5.0}]->(charles),
       (bridget)-[:KNOWS {weight: 5.0}]->(doug), (charles)-[:KNOWS {weight: 0.01}]->(elton),
       (frank)-[:KNOWS {weight: 0.01}]->(doug);
CALL gml.k1coloring.stream({nodeLabels: ['GmlCommunity'], relationshipTypes: ['LINK']})
YIELD node, color
WITH node, color WHERE node.name IN ['Alice', 'Bridget', 'Charles', 'Doug']
RETURN node.name AS name, color ORDER BY name;
CALL gml.k1coloring.stats({nodeLabels: ['GmlCommunity'], relationshipTypes: ['LINK']})
YIELD colorCount, ranIterations, didConverge RETURN colorCount, ranIterations, didConverge;
CALL gml.k1coloring.write({nodeLabels: ['GmlCommunity'], relationshipTypes: ['LINK'],
                           writeProperty: 'color'})
YIELD nodePropertiesWritten, colorCount RETURN nodePropertiesWritten, colorCount;
CALL gml.modularityOptimization.stream({nodeLabels: ['GmlCommunity'], relationshipTypes: ['KNOWS'],
                                        relationshipWeightProperty: 'weight'})
YIELD node, communityId
RETURN communityId, collect(node.name) AS members ORDER BY communityId;
CALL gml.modularityOptimization.stats({nodeLabels: ['GmlCommunity'], relationshipTypes: ['KNOWS'],
                                       relationshipWeightProperty: 'weight'})
YIELD nodes, communityCount, modularity, ranIterations, didConverge
RETURN nodes, communityCount, modularity, ranIterations, didConverge;
CALL gml.modularityOptimization.write({nodeLabels: ['GmlCommunity'], relationshipTypes: ['KNOWS'],
                                       relationshipWeightProperty: 'weight',
                                       writeProperty: 'modularityCommunity'})
YIELD nodePropertiesWritten RETURN nodePropertiesWritten;
MATCH (n:GmlCommunity) DETACH DELETE n;

// ---- approximate maximum k-cut (GDS's gds.maxkcut) on GDS's example; GDS documents cutCost 13.0
// unweighted ({Alice, Bridget, Charles} vs the rest) and 146.0 weighted by `value`
CREATE (alice:GmlCommunity {name: 'Alice'}), (bridget:GmlCommunity {name: 'Bridget'}),
       (charles:GmlCommunity {name: 'Charles'}), (doug:GmlCommunity {name: 'Doug'}),
       (eric:GmlCommunity {name: 'Eric'}), (fiona:GmlCommunity {name: 'Fiona'}),
       (george:GmlCommunity {name: 'George'}),
       (alice)-[:TRANSACTION {value: 81.0}]->(bridget), (alice)-[:TRANSACTION {value: 7.0}]->(doug),
       (bridget)-[:TRANSACTION {value: 1.0}]->(doug), (bridget)-[:TRANSACTION {value: 1.0}]->(eric),
       (bridget)-[:TRANSACTION {value: 1.0}]->(fiona), (bridget)-[:TRANSACTION {value: 1.0}]->(george),
       (charles)-[:TRANSACTION {value: 45.0}]->(bridget), (charles)-[:TRANSACTION {value: 3.0}]->(eric),
       (doug)-[:TRANSACTION {value: 3.0}]->(charles), (doug)-[:TRANSACTION {value: 1.0}]->(bridget),
       (eric)-[:TRANSACTION {value: 1.0}]->(bridget), (fiona)-[:TRANSACTION {value: 3.0}]->(alice),
       (fiona)-[:TRANSACTION {value: 1.0}]->(bridget), (george)-[:TRANSACTION {value: 1.0}]->(bridget),
       (george)-[:TRANSACTION {value: 4.0}]->(charles);
CALL gml.maxkcut.stream({nodeLabels: ['GmlCommunity'], relationshipTypes: ['TRANSACTION'],
                         randomSeed: 1})
YIELD node, communityId
RETURN communityId, collect(node.name) AS members ORDER BY communityId;
CALL gml.maxkcut.stats({nodeLabels: ['GmlCommunity'], relationshipTypes: ['TRANSACTION'],
                        relationshipWeightProperty: 'value', randomSeed: 1})
YIELD cutCost RETURN cutCost;
CALL gml.maxkcut.write({nodeLabels: ['GmlCommunity'], relationshipTypes: ['TRANSACTION'],
                        k: 3, randomSeed: 1, writeProperty: 'cut'})
YIELD nodePropertiesWritten, cutCost RETURN nodePropertiesWritten, cutCost;
MATCH (n:GmlCommunity) DETACH DELETE n;

// ---- speaker-listener label propagation (GDS's gds.sllpa): overlapping communities on GDS's
// example, two 4-cliques joined by a path; each node yields a map {communityIds: [...]}
CREATE (a:GmlCommunity {name: 'Alice'}), (b:GmlCommunity {name: 'Bob'}),
       (c:GmlCommunity {name: 'Carol'}), (d:GmlCommunity {name: 'Dave'}),
       (e:GmlCommunity {name: 'Eve'}), (f:GmlCommunity {name: 'Fredrick'}),
       (g:GmlCommunity {name: 'Gary'}), (h:GmlCommunity {name: 'Hilda'}),
       (i:GmlCommunity {name: 'Ichabod'}), (j:GmlCommunity {name: 'James'}),
       (k:GmlCommunity {name: 'Khalid'}),
       (a)-[:KNOWS]->(b), (a)-[:KNOWS]->(c), (a)-[:KNOWS]->(d), (b)-[:KNOWS]->(c),
       (b)-[:KNOWS]->(d), (c)-[:KNOWS]->(d), (b)-[:KNOWS]->(e), (e)-[:KNOWS]->(f),
       (f)-[:KNOWS]->(g), (g)-[:KNOWS]->(h), (h)-[:KNOWS]->(i), (h)-[:KNOWS]->(j),
       (h)-[:KNOWS]->(k), (i)-[:KNOWS]->(j), (i)-[:KNOWS]->(k), (j)-[:KNOWS]->(k);
CALL gml.sllpa.stream({nodeLabels: ['GmlCommunity'], orientation: 'UNDIRECTED',
                       maxIterations: 100, minAssociationStrength: 0.1, randomSeed: 1})
YIELD nodeId, values
RETURN gml.util.asNode(nodeId).name AS name, values.communityIds AS communityIds ORDER BY name;
CALL gml.sllpa.stats({nodeLabels: ['GmlCommunity'], orientation: 'UNDIRECTED', maxIterations: 100})
YIELD ranIterations, didConverge RETURN ranIterations, didConverge;
// write: a list of community ids per node, as many as each node keeps
CALL gml.sllpa.write({nodeLabels: ['GmlCommunity'], orientation: 'UNDIRECTED', maxIterations: 100,
                      minAssociationStrength: 0.1, randomSeed: 1, writeProperty: 'communityIds'})
YIELD nodePropertiesWritten RETURN nodePropertiesWritten;
MATCH (n:GmlCommunity) RETURN n.name AS name, n.communityIds AS communityIds ORDER BY name;
// mutate into a named graph, then read the lists back from the catalog
CALL gml.graph.drop('gmlSllpa', false) YIELD graphName RETURN graphName;
CALL gml.graph.project('gmlSllpa', 'GmlCommunity', {KNOWS: {orientation: 'UNDIRECTED'}});
CALL gml.sllpa.mutate('gmlSllpa', {maxIterations: 100, minAssociationStrength: 0.1, randomSeed: 1,
                                   mutateProperty: 'communityIds'})
YIELD nodePropertiesWritten, ranIterations RETURN nodePropertiesWritten, ranIterations;
CALL gml.graph.nodeProperty.stream('gmlSllpa', 'communityIds') YIELD nodeId, propertyValue
RETURN gml.util.asNode(nodeId).name AS name, propertyValue AS communityIds ORDER BY name;
CALL gml.graph.drop('gmlSllpa') YIELD graphName RETURN graphName;
MATCH (n:GmlCommunity) DETACH DELETE n;
