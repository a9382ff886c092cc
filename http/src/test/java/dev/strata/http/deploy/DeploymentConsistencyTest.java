package dev.strata.http.deploy;

import static dev.strata.http.deploy.RepositoryFiles.at;
import static dev.strata.http.deploy.RepositoryFiles.document;
import static dev.strata.http.deploy.RepositoryFiles.read;
import static dev.strata.http.deploy.RepositoryFiles.root;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests, the Dockerfile and the launcher agree with the code and the build:
 * ports, probe paths, environment variables the configuration reads, the labels discovery
 * selects, RBAC, and the archive the Dockerfile unpacks.
 */
class DeploymentConsistencyTest {

    private static final String DEPLOYMENT = "k8s/deployment.yaml";
    /** The server's own defaults: every module's reference.conf, as a node loads them. */
    private final Config defaults = ConfigFactory.defaultReference();

    private Map<String, Object> container() throws IOException {
        Map<String, Object> deployment = document(DEPLOYMENT, "Deployment");
        List<Map<String, Object>> containers = at(deployment, "spec", "template", "spec", "containers");
        assertEquals(1, containers.size());
        return containers.get(0);
    }

    private Map<String, Integer> containerPorts() throws IOException {
        List<Map<String, Object>> ports = at(container(), "ports");
        return ports.stream().collect(Collectors.toMap(p -> (String) p.get("name"), p -> (Integer) p.get("containerPort")));
    }

    private Map<String, String> literalEnv() throws IOException {
        List<Map<String, Object>> env = at(container(), "env");
        Map<String, String> values = new HashMap<>();
        for (Map<String, Object> e : env) {
            if (e.get("value") != null) {
                values.put((String) e.get("name"), String.valueOf(e.get("value")));
            }
        }
        return values;
    }

    private Set<String> envNames() throws IOException {
        List<Map<String, Object>> env = at(container(), "env");
        Set<String> names = env.stream().map(e -> (String) e.get("name")).collect(Collectors.toCollection(TreeSet::new));
        Map<String, Object> configMap = document("k8s/configmap.yaml", "ConfigMap");
        Map<String, Object> data = at(configMap, "data");
        data.keySet().stream().filter(k -> !k.contains(".")).forEach(names::add);
        Map<String, Object> secret = document("k8s/secret.yaml", "Secret");
        Map<String, Object> secretData = at(secret, "stringData");
        names.addAll(secretData.keySet());
        return names;
    }

    /** Every {@code ${?VAR}} any module's reference.conf reads, plus what bin/strata reads. */
    private Set<String> variablesTheNodeReads() throws IOException {
        Set<String> vars = new TreeSet<>();
        Pattern optional = Pattern.compile("\\$\\{\\?([A-Z0-9_]+)}");
        try (Stream<Path> modules = Files.list(root())) {
            for (Path module : modules.toList()) {
                Path conf = module.resolve("src/main/resources/reference.conf");
                if (Files.isRegularFile(conf)) {
                    Matcher m = optional.matcher(Files.readString(conf));
                    while (m.find()) {
                        vars.add(m.group(1));
                    }
                }
            }
        }
        Matcher m = Pattern.compile("\\$\\{([A-Z0-9_]+)[:}-]").matcher(read("http/src/dist/bin/strata"));
        while (m.find()) {
            vars.add(m.group(1));
        }
        return vars;
    }

    @Test
    void containerPortsAreTheServersDefaultPorts() throws IOException {
        Map<String, Integer> ports = containerPorts();
        assertEquals(Map.of(
                "http", defaults.getInt("strata.http.port"),
                "management", defaults.getInt("pekko.management.http.port"),
                "remoting", defaults.getInt("pekko.remote.artery.canonical.port")), ports);
        // The ports the pod sets explicitly are the ones it declares.
        Map<String, String> env = literalEnv();
        assertEquals(String.valueOf(ports.get("http")), env.get("STRATA_HTTP_PORT"));
        assertEquals(String.valueOf(ports.get("management")), env.get("STRATA_MANAGEMENT_PORT"));
        assertEquals(String.valueOf(ports.get("remoting")), env.get("STRATA_CLUSTER_PORT"));
        // Services point at declared port names; the API Service carries http, the headless one
        // management and remoting.
        for (Map<String, Object> service : RepositoryFiles.yamlDocuments("k8s/service.yaml")) {
            List<Map<String, Object>> servicePorts = at(service, "spec", "ports");
            for (Map<String, Object> p : servicePorts) {
                String target = String.valueOf(p.get("targetPort"));
                assertTrue(ports.containsKey(target), "service " + at(service, "metadata", "name") + " targets " + target);
                assertEquals(ports.get(target), p.get("port"), "service port " + target);
            }
            assertEquals(Map.of("app", "strata"), at(service, "spec", "selector"));
        }
    }

    @Test
    void probesUseTheManagementHealthChecks() throws IOException {
        Map<String, Object> c = container();
        assertEquals("/" + defaults.getString("pekko.management.health-checks.readiness-path"),
                at(c, "readinessProbe", "httpGet", "path"));
        assertEquals("/" + defaults.getString("pekko.management.health-checks.liveness-path"),
                at(c, "livenessProbe", "httpGet", "path"));
        assertEquals("management", at(c, "readinessProbe", "httpGet", "port"));
        assertEquals("management", at(c, "livenessProbe", "httpGet", "port"));
        assertEquals("/health/ready", at(c, "readinessProbe", "httpGet", "path"));
    }

    @Test
    void everyEnvironmentVariableTheManifestsSetIsReadByTheNode() throws IOException {
        Set<String> read = variablesTheNodeReads();
        assertTrue(read.containsAll(Set.of("STRATA_S3_BUCKET", "STRATA_S3_ACCESS_KEY_ID", "STRATA_S3_SECRET_ACCESS_KEY",
                "STRATA_HTTP_PORT", "STRATA_CLUSTER_HOST", "STRATA_MANAGEMENT_HOST", "JAVA_OPTS")), read.toString());
        Set<String> unknown = new TreeSet<>(envNames());
        unknown.removeAll(read);
        assertEquals(Set.of(), unknown, "set by k8s/ but read by nothing (reads: " + read + ")");
        // Credentials come from the Secret, never from the ConfigMap.
        Map<String, Object> configMapData = at(document("k8s/configmap.yaml", "ConfigMap"), "data");
        assertTrue(configMapData.keySet().stream().noneMatch(k -> k.contains("SECRET") || k.contains("ACCESS_KEY")));
        Map<String, Object> secretData = at(document("k8s/secret.yaml", "Secret"), "stringData");
        assertTrue(secretData.keySet().containsAll(Set.of("STRATA_S3_ACCESS_KEY_ID", "STRATA_S3_SECRET_ACCESS_KEY")));
        List<Map<String, Object>> envFrom = at(container(), "envFrom");
        Set<String> sources = new HashSet<>();
        envFrom.forEach(e -> e.values().forEach(ref -> sources.add((String) at(ref, "name"))));
        assertEquals(Set.of(at(document("k8s/configmap.yaml", "ConfigMap"), "metadata", "name"),
                at(document("k8s/secret.yaml", "Secret"), "metadata", "name")), sources);
    }

    @Test
    void discoveryOnKubernetesSelectsThePodsOfTheDeploymentOnTheirManagementPort() throws IOException {
        Map<String, Object> configMapData = at(document("k8s/configmap.yaml", "ConfigMap"), "data");
        Config node = ConfigFactory.parseString((String) configMapData.get("application.conf"))
                .withFallback(defaults).resolve();
        String prefix = "pekko.management.cluster.bootstrap.contact-point-discovery.";
        assertEquals("bootstrap", node.getString("strata.cluster.formation"));
        assertEquals("kubernetes-api", node.getString(prefix + "discovery-method"));
        assertTrue(containerPorts().containsKey(node.getString(prefix + "port-name")));
        String selector = node.getString("pekko.discovery.kubernetes-api.pod-label-selector")
                .formatted(node.getString(prefix + "service-name"));
        Map<String, Object> deployment = document(DEPLOYMENT, "Deployment");
        Map<String, Object> podLabels = at(deployment, "spec", "template", "metadata", "labels");
        for (String term : selector.split(",")) {
            String[] kv = term.split("=", 2);
            assertEquals(kv[1], podLabels.get(kv[0]), "pod label selected by discovery: " + term);
        }
        Map<String, Object> matchLabels = at(deployment, "spec", "selector", "matchLabels");
        assertEquals(Map.of("app", "strata"), matchLabels);
        Map<String, Object> pdbLabels = at(document("k8s/pdb.yaml", "PodDisruptionBudget"), "spec", "selector",
                "matchLabels");
        assertEquals(Map.of("app", "strata"), pdbLabels);
        // The configured minimum of contact points is the initial replica count.
        Integer replicas = at(deployment, "spec", "replicas");
        assertEquals(String.valueOf(replicas), configMapData.get("STRATA_CLUSTER_REQUIRED_CONTACT_POINTS"));
        // The mounted application.conf lands in the archive's conf/ directory, first on the class path.
        List<Map<String, Object>> mounts = at(container(), "volumeMounts");
        assertTrue(mounts.stream().anyMatch(m -> "/opt/strata/conf/application.conf".equals(m.get("mountPath"))));
    }

    @Test
    void theServiceAccountMayReadPodsAsDiscoveryNeeds() throws IOException {
        Map<String, Object> role = document("k8s/role.yaml", "Role");
        List<Map<String, Object>> rules = at(role, "rules");
        Map<String, Object> podsRule = rules.stream()
                .filter(r -> ((List<?>) r.get("resources")).contains("pods"))
                .findFirst().orElseThrow();
        assertEquals(List.of(""), podsRule.get("apiGroups"));
        assertEquals(Set.of("get", "watch", "list"), Set.copyOf((List<?>) podsRule.get("verbs")));
        Map<String, Object> binding = document("k8s/role.yaml", "RoleBinding");
        assertEquals((String) at(role, "metadata", "name"), (String) at(binding, "roleRef", "name"));
        String account = at(document("k8s/serviceaccount.yaml", "ServiceAccount"), "metadata", "name");
        assertEquals(account, at(binding, "subjects", 0, "name"));
        assertEquals(account, at(document(DEPLOYMENT, "Deployment"), "spec", "template", "spec", "serviceAccountName"));
    }

    @Test
    void kustomizationsListEveryManifest() throws IOException {
        for (String dir : List.of("k8s", "k8s/monitoring")) {
            Map<String, Object> kustomization = RepositoryFiles.yamlDocuments(dir + "/kustomization.yaml").get(0);
            List<String> resources = at(kustomization, "resources");
            Set<String> listed = new TreeSet<>(resources);
            Set<String> present;
            try (Stream<Path> files = Files.list(root().resolve(dir))) {
                present = files.map(f -> f.getFileName().toString())
                        .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
                        .collect(Collectors.toCollection(TreeSet::new));
            }
            assertEquals(present, listed, dir);
        }
    }

    @Test
    void theDockerfileUnpacksTheArchiveTheBuildMakesAndExposesTheServersPorts() throws IOException {
        String dockerfile = read("Dockerfile");
        assertTrue(dockerfile.contains("FROM eclipse-temurin:17-jre"), "JRE 17 base image");
        // The archive: target/<finalName>.tar.gz of the assembly, unpacked to /opt/<baseDirectory>.
        String pom = read("http/pom.xml");
        String assembly = read("http/src/assembly/distribution.xml");
        String finalName = between(pom.substring(pom.indexOf("maven-assembly-plugin")), "<finalName>", "</finalName>");
        assertTrue(pom.contains("<appendAssemblyId>false</appendAssemblyId>"));
        assertTrue(assembly.contains("<format>tar.gz</format>"));
        String baseDirectory = between(assembly, "<baseDirectory>", "</baseDirectory>");
        Matcher add = Pattern.compile("(?m)^ADD\\s+(\\S+)\\s+(\\S+)\\s*$").matcher(dockerfile);
        assertTrue(add.find(), "an ADD of the archive");
        assertEquals("http/target/" + finalName + ".tar.gz", add.group(1));
        assertEquals("/opt/", add.group(2));
        assertTrue(dockerfile.contains("ENTRYPOINT [\"/opt/" + baseDirectory + "/bin/strata\"]"), dockerfile);
        assertTrue(Files.isExecutable(root().resolve("http/src/dist/bin/strata")));

        Matcher expose = Pattern.compile("(?m)^EXPOSE\\s+(.+)$").matcher(dockerfile);
        assertTrue(expose.find());
        Set<Integer> exposed = Stream.of(expose.group(1).trim().split("\\s+")).map(Integer::valueOf)
                .collect(Collectors.toSet());
        assertEquals(Set.copyOf(containerPorts().values()), exposed);
        for (String var : List.of("STRATA_HTTP_PORT", "STRATA_MANAGEMENT_PORT", "STRATA_CLUSTER_PORT")) {
            Matcher env = Pattern.compile(var + "=(\\d+)").matcher(dockerfile);
            assertTrue(env.find(), var);
            assertTrue(exposed.contains(Integer.valueOf(env.group(1))), var);
        }
        // The deployment runs as the image's user.
        assertTrue(dockerfile.contains("USER 10001"));
        assertEquals(10001, (Integer) at(document(DEPLOYMENT, "Deployment"), "spec", "template", "spec",
                "securityContext", "runAsUser"));
    }

    @Test
    void theLauncherSetsTheJvmFlagsTheServerNeeds() throws IOException {
        String launcher = read("http/src/dist/bin/strata");
        assertTrue(launcher.contains("--add-modules=jdk.incubator.vector"));
        assertTrue(launcher.contains("-XX:MaxRAMPercentage="));
        assertTrue(launcher.contains("-XX:MaxGCPauseMillis=") || launcher.contains("-XX:+UseZGC"));
        assertTrue(launcher.contains("${JAVA_OPTS"), "JAVA_OPTS overrides");
        assertTrue(launcher.contains("lib/strata-server.jar:"), "the server jar (its reference.conf) first");
        assertTrue(launcher.contains("dev.strata.http.StrataServer"));
    }

    private static String between(String s, String open, String close) {
        int start = s.indexOf(open);
        assertTrue(start >= 0, "no " + open);
        return s.substring(start + open.length(), s.indexOf(close, start)).trim();
    }
}
