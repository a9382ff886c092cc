package dev.strata.http.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.strata.config.SettingsException;
import dev.strata.http.cluster.ClusterFormation.ContactPoint;
import dev.strata.http.cluster.ClusterFormation.Formation;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading {@code strata.cluster} and turning contact points into Pekko's config discovery. */
class ClusterFormationTest {

    private static Config with(String overrides) {
        return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultReference()).resolve();
    }

    @Test
    void theDefaultIsSeedNodesWhichWithNoSeedsMeansJoiningOneself() {
        ClusterFormation formation = ClusterFormation.from(ConfigFactory.defaultReference());
        assertEquals(Formation.SEED_NODES, formation.formation());
        assertEquals(List.of(), formation.contactPoints());
        Config config = ConfigFactory.defaultReference();
        assertSame(config, formation.applyTo(config));
        assertEquals(List.of(), config.getStringList("pekko.cluster.seed-nodes"));
    }

    @Test
    void bootstrapWithConfigDiscoveryWritesTheContactPointsWherePekkoReadsThem() {
        ClusterFormation formation = ClusterFormation.from(with("""
                strata.cluster.formation = bootstrap
                strata.cluster.contact-points = " 10.0.0.1:8558, 10.0.0.2:8559 ,"
                """));
        assertEquals(Formation.BOOTSTRAP, formation.formation());
        assertEquals("config", formation.discoveryMethod());
        assertEquals(List.of(new ContactPoint("10.0.0.1", 8558), new ContactPoint("10.0.0.2", 8559)),
                formation.contactPoints());
        Config applied = formation.applyTo(ConfigFactory.defaultReference());
        List<? extends Config> endpoints = applied.getConfigList("pekko.discovery.config.services.strata.endpoints");
        assertEquals(2, endpoints.size());
        assertEquals("10.0.0.2", endpoints.get(1).getString("host"));
        assertEquals(8559, endpoints.get(1).getInt("port"));
    }

    @Test
    void kubernetesDiscoveryNeedsNoContactPoints() {
        ClusterFormation formation = ClusterFormation.from(with("""
                strata.cluster.formation = bootstrap
                pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method = kubernetes-api
                """));
        assertEquals("kubernetes-api", formation.discoveryMethod());
    }

    @Test
    void badSettingsFailWithTheKeyNamed() {
        SettingsException mode = assertThrows(SettingsException.class,
                () -> ClusterFormation.from(with("strata.cluster.formation = gossip")));
        assertTrue(mode.getMessage().contains("strata.cluster.formation"), mode.getMessage());
        SettingsException none = assertThrows(SettingsException.class,
                () -> ClusterFormation.from(with("strata.cluster.formation = bootstrap")));
        assertTrue(none.getMessage().contains("strata.cluster.contact-points"), none.getMessage());
        SettingsException port = assertThrows(SettingsException.class, () -> ClusterFormation.from(with("""
                strata.cluster.formation = bootstrap
                strata.cluster.contact-points = "10.0.0.1"
                """)));
        assertTrue(port.getMessage().contains("strata.cluster.contact-points") && port.getMessage().contains("10.0.0.1"),
                port.getMessage());
        assertThrows(SettingsException.class, () -> ClusterFormation.from(with("""
                strata.cluster.formation = bootstrap
                strata.cluster.contact-points = "10.0.0.1:99999"
                """)));
    }
}
