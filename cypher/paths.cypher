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
MATCH (source:GmlRoad {name: 'C'})
CALL gml.bfs.stats({nodeLabels: ['GmlRoad'], sourceNode: source}) YIELD visitedNodes
RETURN visitedNodes;

MATCH (n:GmlRoad) DETACH DELETE n;
