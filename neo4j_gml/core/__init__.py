"""The core layer, below everything else: the :class:`~neo4j_gml.core.graph.Graph`, the error
types, cancellation and shared constants. It knows nothing of Neo4j, HTTP or config keys' users;
every other layer may import it, it imports none of them."""
