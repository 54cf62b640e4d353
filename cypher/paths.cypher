// Path finding from Cypher. Needs Neo4j with the gml plugin and `neo4j-gml serve`.
// GDS's documentation road network, under the label :GmlRoad so other data is left alone.

MATCH (n:GmlRoad) DETACH DELETE n;

CREATE (a:GmlRoad {name: 'A'}), (b:GmlRoad {name: 'B'}), (c:GmlRoad {name: 'C'}),
       (d:GmlRoad {name: 'D'}), (e:GmlRoad {name: 'E'}), (f:GmlRoad {name: 'F'}),
       (a)-[:ROAD {cost: 50}]->(b), (a)-[:ROAD {cost: 50}]->(c), (a)-[:ROAD {cost: 100}]->(d),
       (b)-[:ROAD {cost: 40}]->(d), (c)-[:ROAD {cost: 40}]->(d), (c)-[:ROAD {cost: 80}]->(e),
       (d)-[:ROAD {cost: 30}]->(e), (d)-[:ROAD {cost: 80}]->(f), (e)-[:ROAD {cost: 40}]->(f);

// ---- the cheapest route from A to F (nodes are accepted where ids are expected)
MATCH (source:GmlRoad {name: 'A'}), (target:GmlRoad {name: 'F'})
CALL gml.shortestPath.dijkstra.stream({nodeLabels: ['GmlRoad'], sourceNode: source,
  targetNode: target, relationshipWeightProperty: 'cost'})
YIELD index, totalCost, nodeIds, costs
RETURN index, totalCost, [id IN nodeIds | gml.util.asNode(id).name] AS route, costs;

// ---- from A to everywhere, cheapest first
MATCH (source:GmlRoad {name: 'A'})
CALL gml.allShortestPaths.dijkstra.stream({nodeLabels: ['GmlRoad'], sourceNode: source,
  relationshipWeightProperty: 'cost'})
YIELD index, targetNode, totalCost
RETURN index, gml.util.asNode(targetNode).name AS destination, totalCost ORDER BY index;

// ---- who is within two hops, breadth first; and a depth-first walk that stops at E or F
MATCH (source:GmlRoad {name: 'A'})
CALL gml.bfs.stream({nodeLabels: ['GmlRoad'], sourceNode: source, maxDepth: 2})
YIELD nodeIds RETURN [id IN nodeIds | gml.util.asNode(id).name] AS visited;
MATCH (source:GmlRoad {name: 'A'}), (e:GmlRoad {name: 'E'}), (f:GmlRoad {name: 'F'})
CALL gml.dfs.stream({nodeLabels: ['GmlRoad'], sourceNode: source, targetNodes: [e, f]})
YIELD nodeIds RETURN [id IN nodeIds | gml.util.asNode(id).name] AS visited;
MATCH (source:GmlRoad {name: 'A'})
CALL gml.randomWalk.stream({nodeLabels: ['GmlRoad'], orientation: 'UNDIRECTED',
  sourceNodes: [source], walkLength: 5, walksPerNode: 3, randomSeed: 42})
YIELD nodeIds, path RETURN [id IN nodeIds | gml.util.asNode(id).name] AS walk, path;
MATCH (source:GmlRoad {name: 'C'})
CALL gml.bfs.stats({nodeLabels: ['GmlRoad'], sourceNode: source}) YIELD visitedNodes
RETURN visitedNodes;

// ---- the route as a Cypher path (virtual PATH_0 relationships, each with its step's cost):
// RETURN it in Neo4j Browser or Bloom to draw it; nothing is written
MATCH (source:GmlRoad {name: 'A'}), (target:GmlRoad {name: 'F'})
CALL gml.shortestPath.dijkstra.stream({nodeLabels: ['GmlRoad'], sourceNode: source,
  targetNode: target, relationshipWeightProperty: 'cost'})
YIELD path RETURN path;

// ---- the three cheapest routes (Yen's), and delta-stepping from A
MATCH (source:GmlRoad {name: 'A'}), (target:GmlRoad {name: 'F'})
CALL gml.shortestPath.yens.stream({nodeLabels: ['GmlRoad'], sourceNode: source,
  targetNode: target, k: 3, relationshipWeightProperty: 'cost'})
YIELD index, totalCost, nodeIds
RETURN index, totalCost, [id IN nodeIds | gml.util.asNode(id).name] AS route ORDER BY index;
MATCH (source:GmlRoad {name: 'A'})
CALL gml.allShortestPaths.delta.stream({nodeLabels: ['GmlRoad'], sourceNode: source,
  delta: 30.0, relationshipWeightProperty: 'cost'})
YIELD targetNode, totalCost
RETURN gml.util.asNode(targetNode).name AS destination, totalCost ORDER BY destination;

// ---- write the route back as one :GML_ROUTE relationship (totalCost, nodeIds, costs);
// a rerun updates it, never duplicates it
MATCH (source:GmlRoad {name: 'A'}), (target:GmlRoad {name: 'F'})
CALL gml.shortestPath.dijkstra.write({nodeLabels: ['GmlRoad'], relationshipTypes: ['ROAD'],
  sourceNode: source, targetNode: target, relationshipWeightProperty: 'cost',
  writeRelationshipType: 'GML_ROUTE', writeNodeIds: true, writeCosts: true})
YIELD relationshipsWritten RETURN relationshipsWritten;
MATCH (:GmlRoad {name: 'A'})-[r:GML_ROUTE]->(:GmlRoad {name: 'F'})
RETURN r.totalCost AS totalCost, r.costs AS costs;

// ---- the cheapest network joining every town (Prim on the undirected roads), written back
MATCH (source:GmlRoad {name: 'A'})
CALL gml.spanningTree.write({nodeLabels: ['GmlRoad'], relationshipTypes: ['ROAD'],
  orientation: 'UNDIRECTED', sourceNode: source, relationshipWeightProperty: 'cost',
  writeRelationshipType: 'GML_MST', writeProperty: 'cost'})
YIELD effectiveNodeCount, totalWeight, relationshipsWritten
RETURN effectiveNodeCount, totalWeight, relationshipsWritten;
MATCH (a:GmlRoad)-[r:GML_MST]->(b:GmlRoad) RETURN a.name AS from, b.name AS to, r.cost AS cost
ORDER BY to;

// ---- the cheapest tree from A reaching E and F; and the most that can flow from A to F
MATCH (source:GmlRoad {name: 'A'}), (e:GmlRoad {name: 'E'}), (f:GmlRoad {name: 'F'})
CALL gml.steinerTree.stream({nodeLabels: ['GmlRoad'], relationshipTypes: ['ROAD'],
  sourceNode: source, targetNodes: [e, f], relationshipWeightProperty: 'cost'})
YIELD nodeId, parentId, weight
RETURN gml.util.asNode(nodeId).name AS node, gml.util.asNode(parentId).name AS parent, weight;
MATCH (source:GmlRoad {name: 'A'}), (target:GmlRoad {name: 'F'})
CALL gml.maxFlow.stats({nodeLabels: ['GmlRoad'], relationshipTypes: ['ROAD'],
  sourceNodes: [source], targetNodes: [target], capacityProperty: 'cost'})
YIELD totalFlow RETURN totalFlow;

// ---- the roads form a DAG: a topological order, and the longest route to each town
CALL gml.dag.topologicalSort.stream({nodeLabels: ['GmlRoad'], relationshipTypes: ['ROAD'],
  computeMaxDistanceFromSource: true})
YIELD nodeId, maxDistanceFromSource
RETURN gml.util.asNode(nodeId).name AS town, maxDistanceFromSource;
CALL gml.dag.longestPath.stream({nodeLabels: ['GmlRoad'], relationshipTypes: ['ROAD'],
  relationshipWeightProperty: 'cost'})
YIELD targetNode, totalCost
RETURN gml.util.asNode(targetNode).name AS town, totalCost ORDER BY town;

// ---- routing by coordinates: A* on GDS's documentation stations (distances in km)
MATCH (n:GmlStation) DETACH DELETE n;
CREATE (a:GmlStation {name: 'Kings Cross', latitude: 51.5308, longitude: -0.1238}),
       (b:GmlStation {name: 'Euston', latitude: 51.5282, longitude: -0.1337}),
       (c:GmlStation {name: 'Camden Town', latitude: 51.5392, longitude: -0.1426}),
       (d:GmlStation {name: 'Mornington Crescent', latitude: 51.5342, longitude: -0.1387}),
       (e:GmlStation {name: 'Kentish Town', latitude: 51.5507, longitude: -0.1402}),
       (a)-[:CONNECTION {distance: 0.7}]->(b), (b)-[:CONNECTION {distance: 1.3}]->(c),
       (b)-[:CONNECTION {distance: 0.7}]->(d), (d)-[:CONNECTION {distance: 0.6}]->(c),
       (c)-[:CONNECTION {distance: 1.3}]->(e);
MATCH (source:GmlStation {name: 'Kings Cross'}), (target:GmlStation {name: 'Kentish Town'})
CALL gml.shortestPath.astar.stream({nodeLabels: ['GmlStation'], sourceNode: source,
  targetNode: target, latitudeProperty: 'latitude', longitudeProperty: 'longitude',
  relationshipWeightProperty: 'distance'})
YIELD totalCost, nodeIds
RETURN totalCost, [id IN nodeIds | gml.util.asNode(id).name] AS route;
MATCH (n:GmlStation) DETACH DELETE n;

MATCH (n:GmlRoad) DETACH DELETE n;
