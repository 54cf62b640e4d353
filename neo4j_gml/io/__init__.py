"""Reading projections from Neo4j and writing results back (the only layer that speaks Cypher)."""
