package dev.alphaflow.jobs.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.util.Properties;

import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

class KafkaSecurityTest {

    private static KafkaSecurity parse(String text) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return KafkaSecurity.parse(p, "security.properties");
    }

    @Test
    void aFileGivesUsersAndTheirAcls() {
        KafkaSecurity s = parse("""
                super.user = admin
                user.admin = admin-secret
                user.matting = m=a,t"t
                allow.matting = read:topic:alphaflow.frames, Write:Topic:alphaflow.mattes, \\
                                write:transactional-id:alphaflow-matting*, idempotent-write:cluster
                """);

        assertThat(s.superUser()).isEqualTo("admin");
        assertThat(s.passwords()).containsEntry("admin", "admin-secret").containsEntry("matting", "m=a,t\"t");
        assertThat(s.acls()).containsExactly(
                acl(ResourceType.TOPIC, "alphaflow.frames", PatternType.LITERAL, AclOperation.READ),
                acl(ResourceType.TOPIC, "alphaflow.mattes", PatternType.LITERAL, AclOperation.WRITE),
                acl(ResourceType.TRANSACTIONAL_ID, "alphaflow-matting", PatternType.PREFIXED, AclOperation.WRITE),
                acl(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, AclOperation.IDEMPOTENT_WRITE));
        assertThat(s.clientProperties("matting")).containsEntry("security.protocol", "SASL_PLAINTEXT")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"matting\" password=\"m=a,t\\\"t\";");
    }

    @Test
    void mistakesAreNamedWithTheFileAndTheFix() {
        assertThatThrownBy(() -> parse("user.admin=x"))
                .hasMessageContaining("security.properties: super.user is missing");
        assertThatThrownBy(() -> parse("super.user=admin\nuser.bob=x"))
                .hasMessageContaining("the super user admin has no password; add user.admin=PASSWORD");
        assertThatThrownBy(() -> parse("super.user=admin\nuser.admin=x\nallow.bob=read:topic:t"))
                .hasMessageContaining("allow.bob grants to a user without a password");
        assertThatThrownBy(() -> parse("super.user=admin\nuser.admin=x\nuser.bob=y\nallow.bob=fly:topic:t"))
                .hasMessageContaining("unknown operation fly");
        assertThatThrownBy(() -> parse("super.user=admin\nuser.admin=x\nuser.bob=y\nallow.bob=read:table:t"))
                .hasMessageContaining("unknown type table");
        assertThatThrownBy(() -> parse("super.user=admin\nuser.admin=x\npasword.bob=y"))
                .hasMessageContaining("unknown setting pasword.bob");
        assertThatThrownBy(() -> parse("super.user=admin\nuser.admin=a,b"))
                .hasMessageContaining("the super user's name and password may not");
    }

    private static AclBinding acl(ResourceType type, String name, PatternType pattern, AclOperation op) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry("User:matting", "*", op, AclPermissionType.ALLOW));
    }
}
