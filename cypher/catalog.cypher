// The graph catalog from Cypher: project once, run many, mutate, write once.
// Needs Neo4j with the gml plugin and `neo4j-gml serve`. Run with: cypher-shell -f cypher/catalog.cypher
// Everything here uses the label :GmlCatalog and the graph name 'gmlCatalogExample'.

MATCH (n:GmlCatalog) DETACH DELETE n;
CALL gml.graph.drop('gmlCatalogExample', false) YIELD graphName RETURN graphName;

CREATE (a:GmlCatalog {name: 'Alice', age: 31}), (b:GmlCatalog {name: 'Bob', age: 25}),
       (c:GmlCatalog {name: 'Carol', age: 40}), (d:GmlCatalog {name: 'Dave', age: 19}),
       (e:GmlCatalog {name: 'Eve', age: 52}), (f:GmlCatalog {name: 'Frank', age: 33}),
       (a)-[:LINKS {weight: 1.0}]->(b), (b)-[:LINKS {weight: 2.0}]->(c),
       (c)-[:LINKS {weight: 1.0}]->(a), (c)-[:LINKS {weight: 0.5}]->(d),
       (d)-[:LINKS {weight: 1.0}]->(e), (e)-[:LINKS {weight: 3.0}]->(f),
       (f)-[:LINKS {weight: 1.0}]->(d);

// ---- how much memory would it take? Then project it: LINKS as stored and undirected, one scan
CALL gml.graph.project.estimate('GmlCatalog', 'LINKS')
YIELD nodeCount, relationshipCount, requiredMemory
RETURN nodeCount, relationshipCount, requiredMemory;

CALL gml.graph.project('gmlCatalogExample', {GmlCatalog: {properties: ['age']}},
  {LINKS: {properties: 'weight'}, LINKS_U: {type: 'LINKS', orientation: 'UNDIRECTED',
   properties: 'weight'}})
YIELD graphName, nodeCount, relationshipCount, memoryUsage
RETURN graphName, nodeCount, relationshipCount, memoryUsage;

// ---- run on it by name: stream, stats, estimate
CALL gml.pageRank.stream('gmlCatalogExample', {relationshipTypes: ['LINKS']})
YIELD node, score
RETURN node.name AS name, score ORDER BY score DESC, name;

CALL gml.wcc.stats('gmlCatalogExample', {relationshipTypes: ['LINKS']})
YIELD componentCount
RETURN componentCount;

CALL gml.fastRP.stream.estimate('gmlCatalogExample', {relationshipTypes: ['LINKS_U'],
  embeddingDimension: 16})
YIELD bytesMax, requiredMemory
RETURN bytesMax, requiredMemory;

// ---- mutate: results become properties and relationships of the graph, and later calls use them
CALL gml.pageRank.mutate('gmlCatalogExample', {relationshipTypes: ['LINKS'], mutateProperty: 'pr'})
YIELD nodePropertiesWritten
RETURN nodePropertiesWritten;

CALL gml.fastRP.mutate('gmlCatalogExample', {relationshipTypes: ['LINKS_U'], embeddingDimension: 16,
  randomSeed: 42, mutateProperty: 'emb'})
YIELD nodePropertiesWritten
RETURN nodePropertiesWritten;

CALL gml.knn.mutate('gmlCatalogExample', {nodeProperties: ['emb'], topK: 2, randomSeed: 42,
  concurrency: 1, relationshipTypes: ['LINKS_U'], mutateRelationshipType: 'SIMILAR',
  mutateProperty: 'score'})
YIELD relationshipsWritten
RETURN relationshipsWritten;

CALL gml.louvain.stream('gmlCatalogExample', {relationshipTypes: ['SIMILAR'],
  relationshipWeightProperty: 'score'})
YIELD node, communityId
RETURN communityId, collect(node.name) AS members ORDER BY communityId;

CALL gml.graph.nodeProperty.stream('gmlCatalogExample', 'pr')
YIELD nodeId, propertyValue
RETURN gml.util.asNode(nodeId).name AS name, propertyValue ORDER BY propertyValue DESC;

// ---- GDS 2.x's aggregation form: any query's rows become a named graph
MATCH (s:GmlCatalog) OPTIONAL MATCH (s)-[r:LINKS]->(t:GmlCatalog)
WITH gml.graph.project('gmlCatalogRows', s, t, {sourceNodeProperties: s {.age},
  targetNodeProperties: t {.age}, relationshipType: type(r), relationshipProperties: r {.weight}},
  {undirectedRelationshipTypes: ['*']}) AS g
RETURN g.graphName AS graphName, g.nodeCount AS nodeCount, g.relationshipCount AS relationshipCount;

CALL gml.graph.drop('gmlCatalogRows') YIELD graphName RETURN graphName;

// ---- a subgraph by predicate, then the catalog
CALL gml.graph.filter('gmlCatalogOlder', 'gmlCatalogExample', 'n.age >= 30', 'r:LINKS_U')
YIELD graphName, nodeCount, relationshipCount
RETURN graphName, nodeCount, relationshipCount;

CALL gml.graph.list()
YIELD graphName, nodeCount, relationshipCount, memoryUsage, device
RETURN graphName, nodeCount, relationshipCount, memoryUsage, device ORDER BY graphName;

CALL gml.graph.drop('gmlCatalogOlder') YIELD graphName RETURN graphName;

// ---- write once: the mutated values into Neo4j
CALL gml.graph.nodeProperties.write('gmlCatalogExample', ['pr'])
YIELD propertiesWritten
RETURN propertiesWritten;

CALL gml.graph.relationship.write('gmlCatalogExample', 'SIMILAR', 'score')
YIELD relationshipsWritten
RETURN relationshipsWritten;

MATCH (a:GmlCatalog)-[r:SIMILAR]->(b:GmlCatalog)
RETURN a.name AS a, b.name AS b, r.score AS score, a.pr AS pageRank ORDER BY a, b;

// ---- jobs: what runs now (empty when nothing does)
CALL gml.listProgress() YIELD jobId, taskName, progress RETURN jobId, taskName, progress;

CALL gml.graph.drop('gmlCatalogExample') YIELD graphName RETURN graphName;
