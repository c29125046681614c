"""The three broker nodes on 127.0.0.1: their configuration files, a Hazelcast configuration derived
from the project's cluster.xml, and their processes. Each node runs as a uid of its own, so that
iptables can cut one off by --uid-owner (scripts/partition.sh does the same)."""
import os
import re
import signal
import time
import xml.etree.ElementTree as ET

from .api import PROVIDER
from .postgres import USER as PG_USER
from .util import LOOPBACK, request, wait_until

NODE_UID_BASE = 64000  # node i runs as uid/gid NODE_UID_BASE + i (no account needed)
JVM = ["-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.net.preferIPv4Stack=true"]
# renewed 13-14 s before expiry (a third of the double's 40 s) and served until 2 s before it: a
# correct broker rides out a provider or store fault of about 10 s without a caller noticing
REFRESH = """refresh:
  skew-seconds: 13
  jitter-seconds: 1
  min-validity-seconds: 2
  retry-initial-seconds: 1
  retry-max-seconds: 3"""
LOGGING = """handlers=java.util.logging.ConsoleHandler
java.util.logging.SimpleFormatter.format=%1$tF %1$tT %4$-7s [%3$s] %5$s%6$s%n
java.util.logging.ConsoleHandler.level=FINE
java.util.logging.ConsoleHandler.formatter=java.util.logging.SimpleFormatter
.level=INFO
com.hazelcast.level=WARNING
com.hazelcast.internal.cluster.level=INFO
com.hazelcast.core.LifecycleService.level=INFO
io.netty.level=WARNING
dev.tokenbroker.level=INFO
"""
HAZELCAST_PROPERTIES = {"hazelcast.phone.home.enabled": "false", "hazelcast.wait.seconds.before.join": "0",
                        "hazelcast.heartbeat.interval.seconds": "1", "hazelcast.max.no.heartbeat.seconds": "10",
                        "hazelcast.merge.first.run.delay.seconds": "10", "hazelcast.merge.next.run.delay.seconds": "10"}
MEMBERS = re.compile(r"Members \{size:(\d+)")
START_MARK = "==== nemesis: node started"


class Node:
    def __init__(self, index, run_dir, http_port, hz_port, bus_port):
        self.index = index
        self.dir = os.path.join(run_dir, "node%d" % index)
        self.log_path = os.path.join(self.dir, "node.log")
        self.http_port, self.hz_port, self.bus_port = http_port, hz_port, bus_port
        self.uid = NODE_UID_BASE + index
        self.proc = None

    @property
    def url(self):
        return "http://%s:%d" % (LOOPBACK, self.http_port)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def answers(self, path):
        try:
            return request(self.url + path, timeout=2)[0] == 200
        except OSError:
            return False

    def members(self):
        """The cluster size this node last logged since its last start (0 before it logged one)."""
        with open(self.log_path, errors="replace") as f:
            text = f.read()
        sizes = MEMBERS.findall(text[text.rfind(START_MARK):])
        return int(sizes[-1]) if sizes else 0


class Cluster:
    def __init__(self, root, run_dir, jar, ports, env, api_key_sha256, postgres, double, children):
        """ports: [(http, hazelcast, event bus)] per node; env: the secrets every node gets."""
        self.root = root
        self.jar = jar
        self.env = env
        self.children = children
        self.nodes = [Node(i + 1, run_dir, *p) for i, p in enumerate(ports)]
        self.cluster_name = "token-broker-nemesis-%d" % os.getpid()
        for node in self.nodes:
            self.write_files(node, api_key_sha256, postgres, double)

    # --- files -------------------------------------------------------------------------------
    def write_files(self, node, api_key_sha256, postgres, double):
        os.makedirs(os.path.join(node.dir, "cache"))
        with open(os.path.join(node.dir, "node.yaml"), "w") as f:
            f.write(node_yaml(node, api_key_sha256, postgres, double))
        with open(os.path.join(node.dir, "logging.properties"), "w") as f:
            f.write(LOGGING)
        hazelcast_xml(os.path.join(self.root, "cluster.xml"), os.path.join(node.dir, "hazelcast.xml"),
                      self.cluster_name, node.hz_port, [n.hz_port for n in self.nodes])
        for path in (node.dir, os.path.join(node.dir, "cache")):
            os.chown(path, node.uid, node.uid)

    # --- processes ---------------------------------------------------------------------------
    def start(self, node):
        with open(node.log_path, "a") as f:
            f.write("%s at %s\n" % (START_MARK, time.strftime("%H:%M:%S")))
        env = dict(os.environ, HOME=node.dir, TOKEN_BROKER_RIGHTSIGNATURE_CLIENT_ID="node-%d" % node.index, **self.env)
        node.proc = self.children.spawn("node %d" % node.index, ["java", *JVM,
            "-Duser.home=" + node.dir, "-Dvertx.cacheDirBase=" + os.path.join(node.dir, "cache"),
            "-Djava.util.logging.config.file=" + os.path.join(node.dir, "logging.properties"),
            "-Dvertx.hazelcast.config=" + os.path.join(node.dir, "hazelcast.xml"),
            "-jar", self.jar, "-conf", os.path.join(node.dir, "node.yaml"),
            "-cluster", "-cluster-host", LOOPBACK, "-cluster-port", str(node.bus_port)],
            node.log_path, cwd=node.dir, env=env, user=(node.uid, node.uid))

    def start_all(self, timeout=150):
        """Starts the three nodes together; waits until each is ready and sees a cluster of three."""
        for node in self.nodes:
            self.start(node)
        whole = wait_until(lambda: self.dead() or all(n.answers("/ready") and n.members() == 3 for n in self.nodes),
                           timeout)
        if not whole or self.dead():
            raise RuntimeError("the nodes did not form a cluster of three within %d s (dead: %s)"
                               % (timeout, self.dead() or "none"))

    def dead(self):
        return [n.index for n in self.nodes if not n.alive()]

    def restart(self, node, timeout=120):
        """Starts the node again, again after each failed start (a store that is down stops it with
        exit code 2, as a supervisor would see it), until it serves HTTP; returns the attempts."""
        deadline = time.time() + timeout
        attempts = 0
        while time.time() < deadline:
            attempts += 1
            self.start(node)
            if wait_until(lambda: not node.alive() or node.answers("/health"), deadline - time.time()) and node.alive():
                return attempts
            self.children.forget(node.proc)
            time.sleep(2)
        raise RuntimeError("node %d did not come back within %d s (%d starts)" % (node.index, timeout, attempts))

    def kill(self, node):
        self.children.signal(node.proc.pid, signal.SIGKILL)
        node.proc.wait()
        self.children.forget(node.proc)

    def stop_all(self):
        """SIGTERM to all three at once (a clean leave); their exit codes (SIGKILL after 30 s)."""
        return self.children.stop(*[node.proc for node in self.nodes])


def node_yaml(node, api_key_sha256, postgres, double):
    return """# Node %(i)d of scripts/nemesis (generated). Client id: TOKEN_BROKER_RIGHTSIGNATURE_CLIENT_ID=node-%(i)d
http:
  host: %(host)s
  port: %(http)d
  api-keys:
    - name: nemesis
      sha256: %(sha)s
      actions: [read, refresh, admin]
%(refresh)s
cluster:
  min-members: 2
store:
  type: postgres
  url: %(pg_url)s
  user: %(pg_user)s
  encryption: aes-gcm
providers:
  %(provider)s:
    preset: rightsignature
    token-url: %(double)s/oauth/token
    authorize-url: %(double)s/oauth/authorize
    redirect-uri: %(node)s/v1/oauth/%(provider)s/callback
    scope: read write
    timeout-seconds: 5
""" % {"i": node.index, "host": LOOPBACK, "http": node.http_port, "sha": api_key_sha256, "refresh": REFRESH,
       "pg_url": postgres.url, "pg_user": PG_USER, "provider": PROVIDER, "double": double.url, "node": node.url}


def hazelcast_xml(source, target, cluster_name, port, member_ports):
    """cluster.xml (map settings, split-brain protection, merge policy as they are) with its own
    cluster name, one fixed port, the members listed one by one, interface 127.0.0.1, heartbeats
    every second, silent members dropped after 10 s and merges after 10 s."""
    ns = "http://www.hazelcast.com/schema/config"
    ET.register_namespace("", ns)
    ET.register_namespace("xsi", "http://www.w3.org/2001/XMLSchema-instance")

    def q(tag):
        return "{%s}%s" % (ns, tag)

    def child(parent, tag, index=None):
        e = parent.find(q(tag))
        if e is None:
            e = ET.Element(q(tag))
            parent.insert(len(parent) if index is None else index, e)
        return e

    tree = ET.parse(source)
    root = tree.getroot()
    child(root, "cluster-name", 0).text = cluster_name
    props = child(root, "properties", 1)
    for name, value in HAZELCAST_PROPERTIES.items():
        p = next((p for p in props.findall(q("property")) if p.get("name") == name), None)
        if p is None:
            p = ET.SubElement(props, q("property"), {"name": name})
        p.text = value
    net = child(root, "network")
    p = child(net, "port")
    p.text = str(port)
    p.attrib = {"auto-increment": "false"}
    join = child(net, "join")
    for e in list(join):
        join.remove(e)
    ET.SubElement(join, q("multicast"), {"enabled": "false"})
    tcp = ET.SubElement(join, q("tcp-ip"), {"enabled": "true"})
    for m in member_ports:
        ET.SubElement(tcp, q("member")).text = "%s:%d" % (LOOPBACK, m)
    interfaces = child(net, "interfaces")
    interfaces.attrib = {"enabled": "true"}
    for e in list(interfaces):
        interfaces.remove(e)
    ET.SubElement(interfaces, q("interface")).text = LOOPBACK
    ET.indent(tree)
    tree.write(target, xml_declaration=True, encoding="UTF-8")
