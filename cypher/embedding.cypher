// Node embedding procedures from Cypher. Needs Neo4j with the gml plugin and `neo4j-gml serve`.
// Everything here uses the label :GmlPaper, so other data is left alone.

MATCH (n:GmlPaper) DETACH DELETE n;

CREATE (p1:GmlPaper {title: 'p1', year: 2001.0, pages: 10.0}),
       (p2:GmlPaper {title: 'p2', year: 2003.0, pages: 12.0}),
       (p3:GmlPaper {title: 'p3', year: 2005.0, pages: 8.0}),
       (p4:GmlPaper {title: 'p4', year: 2010.0, pages: 20.0}),
       (p5:GmlPaper {title: 'p5', year: 2012.0, pages: 15.0}),
       (p6:GmlPaper {title: 'p6', year: 2015.0, pages: 9.0}),
       (p2)-[:CITES]->(p1), (p3)-[:CITES]->(p1), (p3)-[:CITES]->(p2), (p4)-[:CITES]->(p3),
       (p5)-[:CITES]->(p4), (p6)-[:CITES]->(p4), (p6)-[:CITES]->(p5);

// ---- FastRP: fast random projection (deterministic with randomSeed)
CALL gml.fastRP.stream({nodeLabels: ['GmlPaper'], orientation: 'UNDIRECTED',
                        embeddingDimension: 8, randomSeed: 42})
YIELD node, embedding
RETURN node.title AS title, size(embedding) AS dimension, embedding[0..3] AS head ORDER BY title;
CALL gml.fastRP.stats({nodeLabels: ['GmlPaper'], embeddingDimension: 8, randomSeed: 42})
YIELD nodeCount RETURN nodeCount;
CALL gml.fastRP.write({nodeLabels: ['GmlPaper'], orientation: 'UNDIRECTED', embeddingDimension: 8,
                       randomSeed: 42, writeProperty: 'fastrp'})
YIELD nodePropertiesWritten RETURN nodePropertiesWritten;

// ---- HashGNN: min-hash message passing over binary features (deterministic with randomSeed)
CALL gml.hashgnn.stream({nodeLabels: ['GmlPaper'], orientation: 'UNDIRECTED', iterations: 2,
                         embeddingDensity: 4, featureProperties: ['year', 'pages'],
                         binarizeFeatures: {dimension: 8, threshold: 0}, randomSeed: 42})
YIELD node, embedding
RETURN node.title AS title, size(embedding) AS dimension, embedding ORDER BY title;
CALL gml.hashgnn.write({nodeLabels: ['GmlPaper'], orientation: 'UNDIRECTED', iterations: 2,
                        embeddingDensity: 4, generateFeatures: {dimension: 16, densityLevel: 2},
                        outputDimension: 4, randomSeed: 42, writeProperty: 'hashgnn'})
YIELD nodePropertiesWritten RETURN nodePropertiesWritten;

// ---- node2vec: biased random walks + skip-gram
CALL gml.node2vec.stream({nodeLabels: ['GmlPaper'], orientation: 'UNDIRECTED',
                          embeddingDimension: 8, walkLength: 10, walksPerNode: 5, randomSeed: 42})
YIELD node, embedding
RETURN node.title AS title, size(embedding) AS dimension ORDER BY title;
CALL gml.node2vec.stats({nodeLabels: ['GmlPaper'], embeddingDimension: 8, walkLength: 10,
                         walksPerNode: 5, randomSeed: 42})
YIELD nodeCount RETURN nodeCount;
CALL gml.node2vec.write({nodeLabels: ['GmlPaper'], orientation: 'UNDIRECTED', embeddingDimension: 8,
                         walkLength: 10, walksPerNode: 5, randomSeed: 42, writeProperty: 'node2vec'})
YIELD nodePropertiesWritten RETURN nodePropertiesWritten;

// ---- GraphSAGE: train a model on node features, then embed with it, then drop it
CALL gml.graphSage.train({nodeLabels: ['GmlPaper'], orientation: 'UNDIRECTED',
                          modelName: 'gml-example-sage', featureProperties: ['year', 'pages'],
                          embeddingDimension: 4, epochs: 1, randomSeed: 42})
YIELD nodeCount RETURN nodeCount;
CALL gml.model.list() YIELD modelName, modelType
WITH modelName, modelType WHERE modelName = 'gml-example-sage'
RETURN modelName, modelType;
CALL gml.graphSage.stream({nodeLabels: ['GmlPaper'], orientation: 'UNDIRECTED',
                           modelName: 'gml-example-sage'})
YIELD node, embedding
RETURN node.title AS title, embedding ORDER BY title;
CALL gml.graphSage.write({nodeLabels: ['GmlPaper'], orientation: 'UNDIRECTED',
                          modelName: 'gml-example-sage', writeProperty: 'sage'})
YIELD nodePropertiesWritten RETURN nodePropertiesWritten;
CALL gml.model.drop({modelName: 'gml-example-sage'}) YIELD modelName RETURN modelName;

// ---- IRWE: identity (structural role) and position embeddings from the topology alone; a
// model trained on one graph embeds the nodes of another (here: the same papers)
CALL gml.irwe.train.stats({nodeLabels: ['GmlPaper'], orientation: 'UNDIRECTED',
                           modelName: 'gml-example-irwe', embeddingDimension: 8, epochs: 2,
                           walksPerNode: 20, randomSeed: 42})
YIELD modelInfo, loss RETURN modelInfo.modelName AS model, loss;
CALL gml.irwe.stream({nodeLabels: ['GmlPaper'], orientation: 'UNDIRECTED',
                      modelName: 'gml-example-irwe', embeddingType: 'IDENTITY'})
YIELD node, embedding
RETURN node.title AS title, embedding ORDER BY title;
CALL gml.irwe.write({nodeLabels: ['GmlPaper'], orientation: 'UNDIRECTED',
                     modelName: 'gml-example-irwe', embeddingType: 'BOTH', writeProperty: 'irwe'})
YIELD nodePropertiesWritten RETURN nodePropertiesWritten;
CALL gml.model.drop({modelName: 'gml-example-irwe'}) YIELD modelName RETURN modelName;

MATCH (p:GmlPaper) RETURN p.title AS title, size(p.fastrp) AS fastrp, size(p.node2vec) AS node2vec,
                          size(p.sage) AS sage ORDER BY title;

MATCH (n:GmlPaper) DETACH DELETE n;
