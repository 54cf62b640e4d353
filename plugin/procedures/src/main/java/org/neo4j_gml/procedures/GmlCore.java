package org.neo4j_gml.procedures;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Transaction;
import org.neo4j.procedure.Context;
import org.neo4j.procedure.Description;
import org.neo4j.procedure.Mode;
import org.neo4j.procedure.Name;
import org.neo4j.procedure.Procedure;
import org.neo4j.procedure.UserFunction;
import org.neo4j_gml.procedures.generated.Catalog;

/**
 * {@code gml.list()}, {@code gml.version()} and the functions {@code gml.util.asNode(id)} and
 * {@code gml.util.asNodes(ids)}: answered by the plugin itself, without the service.
 */
public class GmlCore {
    public static final String VERSION = "0.1.0";

    @Context
    public GraphDatabaseService db;

    @Context
    public Transaction tx;

    @UserFunction(name = "gml.util.asNode")
    @Description("gml.util.asNode(nodeId) - the node with this id (as yielded by gml.* procedures), "
            + "or null")
    public Node asNode(@Name("nodeId") Long nodeId) {
        return Convert.node(tx, nodeId);
    }

    @UserFunction(name = "gml.util.asNodes")
    @Description("gml.util.asNodes(nodeIds) - the nodes with these ids (null for unknown ids)")
    public List<Node> asNodes(@Name("nodeIds") List<Long> nodeIds) {
        if (nodeIds == null) return null;
        List<Node> out = new ArrayList<>(nodeIds.size());
        for (Long id : nodeIds) out.add(Convert.node(tx, id));
        return out;
    }

    public static class ListRow {
        public String name;
        public String procedure;
        public String mode;
        public String description;
        public String signature;

        ListRow(String[] entry) {
            this.name = entry[0];
            this.procedure = entry[1];
            this.mode = entry[2];
            this.description = entry[3];
            this.signature = entry[4];
        }
    }

    @Procedure(name = "gml.list", mode = Mode.READ)
    @Description("gml.list([search]) - the gml procedures (name, procedure, mode, description, signature), "
            + "optionally only those whose name contains `search` (case-insensitive)")
    public Stream<ListRow> list(@Name(value = "search", defaultValue = "") String search) {
        String needle = search == null ? "" : search.toLowerCase(Locale.ROOT);
        return Catalog.ENTRIES.stream()
                .filter(e -> e[0].toLowerCase(Locale.ROOT).contains(needle))
                .map(ListRow::new);
    }

    public static class VersionRow {
        public String version;
        public Long procedures;
        public String serviceUrl;
        public String serviceVersion;
    }

    @Procedure(name = "gml.version", mode = Mode.READ)
    @Description("gml.version() - the plugin version, its procedure count, the service URL and the service"
            + " version (null when the service does not answer)")
    public Stream<VersionRow> version() {
        VersionRow row = new VersionRow();
        row.version = VERSION;
        row.procedures = (long) Catalog.ENTRIES.size();
        ServiceSettings settings = ServiceSettings.resolve(db);
        row.serviceUrl = settings.url().toString();
        row.serviceVersion = ServiceClient.serviceVersion(settings);
        return Stream.of(row);
    }
}
