// Node classification and regression from Cypher. Needs Neo4j with the gml plugin and
// `neo4j-gml serve`. Everything here uses the label :GmlCustomer, so other data is left alone.

MATCH (n:GmlCustomer) DETACH DELETE n;
CALL gml.model.drop({modelName: 'gml-example-segments', failIfMissing: false}) YIELD modelName
RETURN count(*) AS dropped;
CALL gml.model.drop({modelName: 'gml-example-spend', failIfMissing: false}) YIELD modelName
RETURN count(*) AS dropped;
CALL gml.model.drop({modelName: 'gml-example-built', failIfMissing: false}) YIELD modelName
RETURN count(*) AS dropped;

// 90 customers in 3 segments who mostly know customers of their own segment; every fifth one's
// segment is unknown (the ones to predict)
UNWIND range(0, 89) AS i
CREATE (:GmlCustomer {i: i, visits: toFloat(i % 3) + (i % 7) / 10.0,
                      spend: 100.0 * (i % 3) + i % 11,
                      segment: CASE WHEN i % 5 = 0 THEN null ELSE i % 3 END});
MATCH (a:GmlCustomer), (b:GmlCustomer)
WHERE a.i < b.i AND ((a.i % 3 = b.i % 3 AND (a.i + b.i) % 4 = 0) OR (a.i + 2 * b.i) % 29 = 0)
CREATE (a)-[:KNOWS]->(b);

// ---- train: a fastRP embedding computed in memory (nothing written), the visits, and three
// kinds of model, chosen by 3-fold validation on 70% of the labelled customers
CALL gml.nodeClassification.train({nodeLabels: ['GmlCustomer'], relationshipTypes: ['KNOWS'],
  orientation: 'UNDIRECTED', modelName: 'gml-example-segments', targetProperty: 'segment',
  nodePropertySteps: [{procedure: 'fastRP',
                       config: {mutateProperty: 'embedding', embeddingDimension: 16, randomSeed: 42}}],
  featureProperties: ['embedding', 'visits'],
  modelCandidates: [{method: 'LogisticRegression', learningRate: 0.05, maxEpochs: 200},
                    {method: 'RandomForest', numberOfDecisionTrees: {range: [10, 50]}},
                    {method: 'GCN', epochs: 100}],
  numberOfTrials: 4, metrics: ['F1_WEIGHTED', 'ACCURACY'], randomSeed: 7})
YIELD modelInfo, modelSelectionStats, testMetrics
RETURN modelSelectionStats.bestParameters AS best, testMetrics;

// ---- predict every customer's segment and write it (with the class probabilities)
CALL gml.nodeClassification.predict.write({nodeLabels: ['GmlCustomer'],
  relationshipTypes: ['KNOWS'], orientation: 'UNDIRECTED', modelName: 'gml-example-segments',
  writeProperty: 'predictedSegment', predictedProbabilityProperty: 'segmentProbabilities'})
YIELD nodePropertiesWritten RETURN nodePropertiesWritten;
MATCH (c:GmlCustomer) WHERE c.segment IS NULL
RETURN c.i AS customer, c.predictedSegment AS predicted, c.i % 3 AS planted ORDER BY customer;
CALL gml.nodeClassification.predict.stream({nodeLabels: ['GmlCustomer'],
  relationshipTypes: ['KNOWS'], orientation: 'UNDIRECTED', modelName: 'gml-example-segments',
  includePredictedProbabilities: true})
YIELD node, predictedClass, predictedProbabilities
RETURN node.i AS customer, predictedClass, predictedProbabilities ORDER BY customer LIMIT 5;

// ---- regression: learn the spend from the visits and the embedding
CALL gml.nodeRegression.train({nodeLabels: ['GmlCustomer'], relationshipTypes: ['KNOWS'],
  orientation: 'UNDIRECTED', modelName: 'gml-example-spend', targetProperty: 'spend',
  nodePropertySteps: [{procedure: 'fastRP',
                       config: {mutateProperty: 'embedding', embeddingDimension: 16, randomSeed: 42}}],
  featureProperties: ['embedding', 'visits'],
  modelCandidates: [{method: 'LinearRegression', learningRate: 0.05, maxEpochs: 300},
                    {method: 'RandomForest', numberOfDecisionTrees: 30}],
  metrics: ['ROOT_MEAN_SQUARED_ERROR', 'MEAN_ABSOLUTE_ERROR'], randomSeed: 7})
YIELD testMetrics RETURN testMetrics;
CALL gml.nodeRegression.predict.stream({nodeLabels: ['GmlCustomer'],
  relationshipTypes: ['KNOWS'], orientation: 'UNDIRECTED', modelName: 'gml-example-spend'})
YIELD node, predictedValue
RETURN node.i AS customer, node.spend AS spend, predictedValue ORDER BY customer LIMIT 5;

CALL gml.model.exists('gml-example-segments') YIELD exists RETURN exists;
CALL gml.model.list({modelName: 'gml-example-segments'}) YIELD modelType, modelInfo
RETURN modelType, modelInfo.metrics AS metrics;

// ---- the same, step by step (GDS's pipeline calls): a pipeline holds the training keys
CALL gml.pipeline.drop('gml-example-pipe', false) YIELD name RETURN count(*) AS dropped;
CALL gml.pipeline.nodeClassification.create('gml-example-pipe') YIELD name RETURN name;
CALL gml.pipeline.nodeClassification.addNodeProperty('gml-example-pipe', 'fastRP',
  {mutateProperty: 'embedding', embeddingDimension: 16, randomSeed: 42})
YIELD nodePropertySteps RETURN nodePropertySteps;
CALL gml.pipeline.nodeClassification.selectFeatures('gml-example-pipe', ['embedding', 'visits'])
YIELD featureProperties RETURN featureProperties;
CALL gml.pipeline.nodeClassification.configureSplit('gml-example-pipe',
  {testFraction: 0.25, validationFolds: 3}) YIELD splitConfig RETURN splitConfig;
CALL gml.pipeline.nodeClassification.addLogisticRegression('gml-example-pipe',
  {learningRate: {range: [0.01, 0.2]}, maxEpochs: 300}) YIELD parameterSpace RETURN parameterSpace;
CALL gml.pipeline.nodeClassification.addRandomForest('gml-example-pipe',
  {numberOfDecisionTrees: 30}) YIELD parameterSpace RETURN parameterSpace;
CALL gml.pipeline.nodeClassification.configureAutoTuning('gml-example-pipe', {maxTrials: 3})
YIELD autoTuningConfig RETURN autoTuningConfig;
CALL gml.nodeClassification.train({nodeLabels: ['GmlCustomer'], relationshipTypes: ['KNOWS'],
  orientation: 'UNDIRECTED', pipeline: 'gml-example-pipe', modelName: 'gml-example-built',
  targetProperty: 'segment', randomSeed: 7})
YIELD modelSelectionStats, testMetrics
RETURN modelSelectionStats.bestParameters AS best, testMetrics;
CALL gml.pipeline.list() YIELD name, pipelineType RETURN name, pipelineType;

CALL gml.model.drop({modelName: 'gml-example-segments'}) YIELD modelName RETURN modelName;
CALL gml.model.drop({modelName: 'gml-example-spend'}) YIELD modelName RETURN modelName;
CALL gml.model.drop({modelName: 'gml-example-built'}) YIELD modelName RETURN modelName;
CALL gml.pipeline.drop('gml-example-pipe') YIELD name RETURN name;
MATCH (n:GmlCustomer) DETACH DELETE n;
