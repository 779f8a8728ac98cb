package dev.alphaflow.jobs.broker;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeSet;

import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Who may use a secured local broker, and for what: SCRAM-SHA-512 users with passwords, one of them the super user
 * (the broker's own login and administration), and the ACLs of the others. Immutable; read from the file
 * {@code alphaflow kafka --security FILE} names:
 *
 * <pre>
 * super.user = admin
 * user.admin = admin-secret
 * user.matting = matting-secret
 * allow.matting = read:topic:alphaflow.frames, write:topic:alphaflow.mattes, write:topic:alphaflow.dlq,
 *                 read:group:alphaflow-matting, write:transactional-id:alphaflow-matting*
 * </pre>
 *
 * <p>A grant is {@code OPERATION:TYPE:NAME}: an operation of {@link AclOperation} ({@code read}, {@code write},
 * {@code describe}, {@code idempotent-write}, {@code all}, ...), a type ({@code topic}, {@code group},
 * {@code transactional-id}, {@code cluster}) and a name, where {@code NAME*} means every name starting with
 * {@code NAME} and {@code *} every name. Users without grants may connect but do nothing.
 */
public final class KafkaSecurity {

    /** The SASL mechanism of the client listener. */
    public static final String MECHANISM = "SCRAM-SHA-512";

    /** The Kafka security protocol clients use ({@code security.protocol}). */
    public static final String PROTOCOL = "SASL_PLAINTEXT";

    /** The authorizer the broker runs (KRaft's, ACLs kept in the metadata log). */
    public static final String AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";

    private static final String SUPER_USER_KEY = "super.user";
    private static final String USER_PREFIX = "user.";
    private static final String ALLOW_PREFIX = "allow.";

    private final String superUser;
    private final Map<String, String> passwords;
    private final List<AclBinding> acls;

    private KafkaSecurity(String superUser, Map<String, String> passwords, List<AclBinding> acls) {
        this.superUser = superUser;
        this.passwords = Collections.unmodifiableMap(new LinkedHashMap<>(passwords));
        this.acls = List.copyOf(acls);
    }

    /** Reads a security file (format in the class comment); the message of a failure names the file and the line. */
    public static KafkaSecurity load(Path file) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
        }
        return parse(p, file.toString());
    }

    /** The settings of a security file; {@code source} names it in messages. */
    public static KafkaSecurity parse(Properties p, String source) {
        String superUser = p.getProperty(SUPER_USER_KEY, "").trim();
        if (superUser.isEmpty()) {
            throw new IllegalArgumentException(source + ": " + SUPER_USER_KEY + " is missing: name the user the broker"
                    + " logs in as and administrators use, e.g. super.user=admin with user.admin=PASSWORD");
        }
        Map<String, String> passwords = new LinkedHashMap<>();
        Map<String, String> grants = new LinkedHashMap<>();
        for (String key : new TreeSet<>(p.stringPropertyNames())) {
            String value = p.getProperty(key);
            if (key.startsWith(USER_PREFIX) && key.length() > USER_PREFIX.length()) {
                if (value.isEmpty()) {
                    throw new IllegalArgumentException(source + ": " + key + " has an empty password");
                }
                passwords.put(key.substring(USER_PREFIX.length()), value);
            } else if (key.startsWith(ALLOW_PREFIX) && key.length() > ALLOW_PREFIX.length()) {
                grants.put(key.substring(ALLOW_PREFIX.length()), value);
            } else if (!key.equals(SUPER_USER_KEY)) {
                throw new IllegalArgumentException(source + ": unknown setting " + key + "; expected "
                        + SUPER_USER_KEY + ", user.NAME=PASSWORD or allow.NAME=OPERATION:TYPE:NAME,...");
            }
        }
        if (!passwords.containsKey(superUser)) {
            throw new IllegalArgumentException(source + ": the super user " + superUser + " has no password; add "
                    + USER_PREFIX + superUser + "=PASSWORD");
        }
        checkFormatSafe(superUser, passwords.get(superUser), source);
        List<AclBinding> acls = new ArrayList<>();
        for (Map.Entry<String, String> grant : grants.entrySet()) {
            String user = grant.getKey();
            if (!passwords.containsKey(user)) {
                throw new IllegalArgumentException(source + ": " + ALLOW_PREFIX + user + " grants to a user without a"
                        + " password; add " + USER_PREFIX + user + "=PASSWORD");
            }
            for (String entry : grant.getValue().split(",")) {
                if (!entry.isBlank()) {
                    acls.add(acl(user, entry.trim(), source + ": " + ALLOW_PREFIX + user));
                }
            }
        }
        return new KafkaSecurity(superUser, passwords, acls);
    }

    /** A security setup with just the super user (add users with {@link #withUser}). */
    public static KafkaSecurity of(String superUser, String password) {
        Objects.requireNonNull(superUser, "superUser");
        Objects.requireNonNull(password, "password");
        checkFormatSafe(superUser, password, "the super user");
        return new KafkaSecurity(superUser, Map.of(superUser, password), List.of());
    }

    /** A copy with one more user and its grants ({@code OPERATION:TYPE:NAME} each, as in the file). */
    public KafkaSecurity withUser(String user, String password, String... grants) {
        Map<String, String> users = new LinkedHashMap<>(passwords);
        users.put(Objects.requireNonNull(user, "user"), Objects.requireNonNull(password, "password"));
        List<AclBinding> all = new ArrayList<>(acls);
        for (String grant : grants) {
            all.add(acl(user, grant, "grant to " + user));
        }
        return new KafkaSecurity(superUser, users, all);
    }

    /** The user the broker logs in as (inter-broker and to its controller) and administrators use. */
    public String superUser() {
        return superUser;
    }

    /** Every user and its password, the super user included. */
    public Map<String, String> passwords() {
        return passwords;
    }

    /** The ACLs granted to the users other than the super user (who needs none). */
    public List<AclBinding> acls() {
        return acls;
    }

    /**
     * The client properties with which {@code user} connects: {@code security.protocol}, {@code sasl.mechanism} and
     * {@code sasl.jaas.config}, what a {@code --kafka-config} file holds.
     */
    public Map<String, String> clientProperties(String user) {
        String password = passwords.get(user);
        if (password == null) {
            throw new IllegalArgumentException("no such user: " + user);
        }
        return clientProperties(user, password);
    }

    /** The client properties of a SCRAM-SHA-512 login as {@code user} with {@code password}. */
    public static Map<String, String> clientProperties(String user, String password) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("security.protocol", PROTOCOL);
        p.put("sasl.mechanism", MECHANISM);
        p.put("sasl.jaas.config", jaas("org.apache.kafka.common.security.scram.ScramLoginModule", user, password));
        return p;
    }

    /** The super user as {@code kafka-storage.sh format --add-scram} takes it. */
    String scramArgument() {
        return MECHANISM + "=[name=" + superUser + ",password=" + passwords.get(superUser) + "]";
    }

    // The format's SCRAM argument cannot quote these; the other users' passwords may hold anything.
    private static void checkFormatSafe(String superUser, String password, String source) {
        for (String value : List.of(superUser, password)) {
            if (value.isEmpty() || value.chars().anyMatch(c -> ",[]\"=".indexOf(c) >= 0 || Character.isWhitespace(c))) {
                throw new IllegalArgumentException(source + ": the super user's name and password may not be empty or"
                        + " hold a space or any of , [ ] \" =");
            }
        }
    }

    /** A JAAS line {@code <module> required username="..." password="..." <extra>;} with the values quoted. */
    static String jaas(String loginModule, String user, String password, String... extra) {
        StringBuilder s = new StringBuilder(loginModule).append(" required username=").append(quote(user))
                .append(" password=").append(quote(password));
        for (String e : extra) {
            s.append(' ').append(e);
        }
        return s.append(';').toString();
    }

    /** A JAAS option value in double quotes (backslash and quote escaped, as JAAS' parser reads them). */
    static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static AclBinding acl(String user, String grant, String where) {
        String[] parts = grant.split(":", 3);
        String usage = where + ": bad grant '" + grant + "'; expected OPERATION:TYPE:NAME, e.g. write:topic:"
                + "alphaflow.mattes (TYPE topic, group, transactional-id or cluster; NAME* for a prefix)";
        if (parts.length < 2) {
            throw new IllegalArgumentException(usage);
        }
        AclOperation operation = AclOperation.fromString(parts[0].trim().replace('-', '_').toUpperCase(Locale.ROOT));
        if (operation == AclOperation.UNKNOWN || operation == AclOperation.ANY) {
            throw new IllegalArgumentException(usage + "; unknown operation " + parts[0].trim());
        }
        ResourceType type = switch (parts[1].trim().toLowerCase(Locale.ROOT)) {
            case "topic" -> ResourceType.TOPIC;
            case "group" -> ResourceType.GROUP;
            case "transactional-id" -> ResourceType.TRANSACTIONAL_ID;
            case "cluster" -> ResourceType.CLUSTER;
            default -> throw new IllegalArgumentException(usage + "; unknown type " + parts[1].trim());
        };
        String name = type == ResourceType.CLUSTER ? "kafka-cluster" : parts.length == 3 ? parts[2].trim() : "";
        if (name.isEmpty()) {
            throw new IllegalArgumentException(usage + "; the name is missing");
        }
        PatternType pattern = PatternType.LITERAL;
        if (name.length() > 1 && name.endsWith("*")) {
            name = name.substring(0, name.length() - 1);
            pattern = PatternType.PREFIXED;
        }
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
    }
}
