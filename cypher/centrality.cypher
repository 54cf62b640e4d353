// Centrality procedures from Cypher. Needs Neo4j with the gml plugin and `neo4j-gml serve`.
// Run with: cypher-shell -f cypher/centrality.cypher (or paste statement by statement).
// Everything here uses the label :GmlCentrality, so other data is left alone.

MATCH (n:GmlCentrality) DETACH DELETE n;

CREATE (a:GmlCentrality {name: 'Alice'}), (b:GmlCentrality {name: 'Bob'}),
       (c:GmlCentrality {name: 'Carol'}), (d:GmlCentrality {name: 'Dave'}),
       (e:GmlCentrality {name: 'Eve'}), (f:GmlCentrality {name: 'Frank'}),
       (a)-[:LINKS {weight: 1.0}]->(b), (b)-[:LINKS {weight: 2.0}]->(c),
       (c)-[:LINKS {weight: 1.0}]->(a), (c)-[:LINKS {weight: 0.5}]->(d),
       (d)-[:LINKS {weight: 1.0}]->(e), (e)-[:LINKS {weight: 3.0}]->(f);

// ---- degree: stream (with the node itself), stats, write
CALL gml.degree.stream({nodeLabels: ['GmlCentrality'], relationshipTypes: ['LINKS']})
YIELD node, score
RETURN node.name AS name, score ORDER BY score DESC, name;

CALL gml.degree.stats({nodeLabels: ['GmlCentrality'], orientation: 'UNDIRECTED'})
YIELD nodeCount, centralityDistribution
RETURN nodeCount, centralityDistribution.max AS maxDegree;

CALL gml.degree.write({nodeLabels: ['GmlCentrality'], relationshipWeightProperty: 'weight',
                       writeProperty: 'weightedDegree'})
YIELD nodePropertiesWritten
RETURN nodePropertiesWritten;

MATCH (n:GmlCentrality) RETURN n.name AS name, n.weightedDegree AS weightedDegree ORDER BY name;

// ---- pageRank (personalised by a node passed straight from Cypher), articleRank, eigenvector
CALL gml.pageRank.stream({nodeLabels: ['GmlCentrality'], dampingFactor: 0.85})
YIELD node, score
RETURN node.name AS name, round(score, 4) AS score ORDER BY score DESC;

MATCH (alice:GmlCentrality {name: 'Alice'})
CALL gml.pageRank.stream({nodeLabels: ['GmlCentrality'], sourceNodes: [alice]})
YIELD node, score
RETURN node.name AS name, round(score, 4) AS score ORDER BY score DESC;

CALL gml.pageRank.stats({nodeLabels: ['GmlCentrality']})
YIELD ranIterations, didConverge
RETURN ranIterations, didConverge;

CALL gml.pageRank.write({nodeLabels: ['GmlCentrality'], writeProperty: 'pageRank'})
YIELD nodePropertiesWritten, ranIterations
RETURN nodePropertiesWritten, ranIterations;

CALL gml.articleRank.stream({nodeLabels: ['GmlCentrality']}) YIELD node, score
RETURN node.name AS name, score ORDER BY score DESC;
CALL gml.articleRank.stats({nodeLabels: ['GmlCentrality']}) YIELD ranIterations RETURN ranIterations;
CALL gml.articleRank.write({nodeLabels: ['GmlCentrality'], writeProperty: 'articleRank'})
YIELD nodePropertiesWritten RETURN nodePropertiesWritten;

CALL gml.eigenvector.stream({nodeLabels: ['GmlCentrality'], maxIterations: 50}) YIELD node, score
RETURN node.name AS name, score ORDER BY score DESC;
CALL gml.eigenvector.stats({nodeLabels: ['GmlCentrality']}) YIELD ranIterations RETURN ranIterations;
CALL gml.eigenvector.write({nodeLabels: ['GmlCentrality'], writeProperty: 'eigenvector'})
YIELD nodePropertiesWritten RETURN nodePropertiesWritten;

// ---- hits yields hub and authority scores
CALL gml.hits.stream({nodeLabels: ['GmlCentrality']}) YIELD node, hub, auth
RETURN node.name AS name, hub, auth ORDER BY name;
CALL gml.hits.stats({nodeLabels: ['GmlCentrality']}) YIELD ranIterations RETURN ranIterations;
CALL gml.hits.write({nodeLabels: ['GmlCentrality'], writeProperty: 'hits'})
YIELD nodePropertiesWritten RETURN nodePropertiesWritten;

// ---- betweenness, closeness, harmonic closeness
CALL gml.betweenness.stream({nodeLabels: ['GmlCentrality']}) YIELD node, score
RETURN node.name AS name, score ORDER BY score DESC;
CALL gml.betweenness.stats({nodeLabels: ['GmlCentrality']}) YIELD centralityDistribution
RETURN centralityDistribution.max AS maxBetweenness;
CALL gml.betweenness.write({nodeLabels: ['GmlCentrality'], writeProperty: 'betweenness'})
YIELD nodePropertiesWritten RETURN nodePropertiesWritten;

CALL gml.closeness.stream({nodeLabels: ['GmlCentrality']}) YIELD node, score
RETURN node.name AS name, score ORDER BY score DESC;
CALL gml.closeness.stats({nodeLabels: ['GmlCentrality']}) YIELD nodeCount RETURN nodeCount;
CALL gml.closeness.write({nodeLabels: ['GmlCentrality'], writeProperty: 'closeness'})
YIELD nodePropertiesWritten RETURN nodePropertiesWritten;

CALL gml.closeness.harmonic.stream({nodeLabels: ['GmlCentrality']}) YIELD node, score
RETURN node.name AS name, score ORDER BY score DESC;
CALL gml.closeness.harmonic.stats({nodeLabels: ['GmlCentrality']}) YIELD nodeCount RETURN nodeCount;
CALL gml.closeness.harmonic.write({nodeLabels: ['GmlCentrality'], writeProperty: 'harmonic'})
YIELD nodePropertiesWritten RETURN nodePropertiesWritten;

// ---- structure: k-core, articulation points, bridges
CALL gml.kcore.stream({nodeLabels: ['GmlCentrality']}) YIELD node, coreValue
RETURN node.name AS name, coreValue ORDER BY coreValue DESC, name;
CALL gml.kcore.stats({nodeLabels: ['GmlCentrality']}) YIELD nodeCount RETURN nodeCount;
CALL gml.kcore.write({nodeLabels: ['GmlCentrality'], writeProperty: 'coreValue'})
YIELD nodePropertiesWritten RETURN nodePropertiesWritten;

CALL gml.articulationPoints.stream({nodeLabels: ['GmlCentrality']})
YIELD node, articulationPoint
WITH node, articulationPoint WHERE articulationPoint = 1
RETURN node.name AS cutVertex ORDER BY cutVertex;
CALL gml.articulationPoints.stats({nodeLabels: ['GmlCentrality']}) YIELD nodeCount RETURN nodeCount;
CALL gml.articulationPoints.write({nodeLabels: ['GmlCentrality'], writeProperty: 'isCut'})
YIELD nodePropertiesWritten RETURN nodePropertiesWritten;

CALL gml.bridges.stream({nodeLabels: ['GmlCentrality']}) YIELD from, to
RETURN from, to;
CALL gml.bridges.stats({nodeLabels: ['GmlCentrality']}) YIELD nodeCount RETURN nodeCount;

// ---- influence maximisation (CELF): the 2 best seed nodes
CALL gml.influenceMaximization.celf.stream({nodeLabels: ['GmlCentrality'], seedSetSize: 2,
                                            randomSeed: 42})
YIELD node, spread
RETURN node.name AS name, spread ORDER BY spread DESC;
CALL gml.influenceMaximization.celf.stats({nodeLabels: ['GmlCentrality'], seedSetSize: 2,
                                           randomSeed: 42})
YIELD nodeCount RETURN nodeCount;
CALL gml.influenceMaximization.celf.write({nodeLabels: ['GmlCentrality'], seedSetSize: 2,
                                           randomSeed: 42, writeProperty: 'spread'})
YIELD nodePropertiesWritten RETURN nodePropertiesWritten;

// ---- attack-aware critical nodes: the 2 nodes whose feature perturbation would reach a
// 2-layer GNN's predictions most (GC_RWCS), and the plain random-walk column sums (RWCS)
CALL gml.criticalNodes.gnnAttack.stream({nodeLabels: ['GmlCentrality'], budget: 2, top: 3})
YIELD node, score, rank
RETURN node.name AS name, score, rank ORDER BY rank;
CALL gml.criticalNodes.gnnAttack.stream({nodeLabels: ['GmlCentrality'], budget: 2,
                                         method: 'RWCS'})
YIELD node, score, rank
RETURN node.name AS name, score, rank ORDER BY rank;

// ---- everything written above, side by side
MATCH (n:GmlCentrality)
RETURN n.name AS name, n.pageRank AS pageRank, n.betweenness AS betweenness,
       n.closeness AS closeness, n.coreValue AS core, n.isCut AS cut
ORDER BY name;

MATCH (n:GmlCentrality) DETACH DELETE n;
