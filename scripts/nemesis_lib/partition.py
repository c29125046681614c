"""A network partition of one node on loopback with iptables (as scripts/partition.sh): the node
(matched by its uid) loses its Hazelcast and event-bus traffic with the two others, both ways,
while it keeps reaching the provider, PostgreSQL and our HTTP requests. Own chains hooked on lo
only; heal() removes every trace and runs before a cut, at the end and on any exit."""
import subprocess

CHAIN_IN, CHAIN_OUT, CHAIN_MARK = "NEMESIS_IN", "NEMESIS_OUT", "NEMESIS_MARK"
CONNMARK = "0x4e450000/0xffff0000"


def iptables(*args, table="filter", check=True):
    return subprocess.run(["iptables", "-w", "-t", table, *args], check=check,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


def heal():
    while iptables("-D", "INPUT", "-i", "lo", "-j", CHAIN_IN, check=False):
        pass
    while iptables("-D", "OUTPUT", "-o", "lo", "-j", CHAIN_OUT, check=False):
        pass
    while iptables("-D", "OUTPUT", "-o", "lo", "-j", CHAIN_MARK, table="mangle", check=False):
        pass
    for chain, table in ((CHAIN_IN, "filter"), (CHAIN_OUT, "filter"), (CHAIN_MARK, "mangle")):
        iptables("-F", chain, table=table, check=False)
        iptables("-X", chain, table=table, check=False)


def cut(node, others):
    """Cuts node off from others (cluster.Node objects)."""
    theirs = ",".join(str(p) for n in others for p in (n.hz_port, n.bus_port))
    mine = "%d,%d" % (node.hz_port, node.bus_port)
    uid = ["-m", "owner", "--uid-owner", str(node.uid)]
    heal()
    iptables("-N", CHAIN_OUT)
    iptables("-N", CHAIN_IN)
    iptables("-N", CHAIN_MARK, table="mangle")
    # connections the node opens to the others: marked, so that the others' answers can be dropped
    iptables("-A", CHAIN_MARK, "-p", "tcp", *uid, "-m", "multiport", "--dports", theirs,
             "-j", "CONNMARK", "--set-xmark", CONNMARK, table="mangle")
    # node -> others: on its own connections, and its answers on theirs
    iptables("-A", CHAIN_OUT, "-p", "tcp", *uid, "-m", "multiport", "--dports", theirs, "-j", "DROP")
    iptables("-A", CHAIN_OUT, "-p", "tcp", *uid, "-m", "multiport", "--sports", mine, "-j", "DROP")
    # others -> node: to its ports, and answers on the connections it opened
    iptables("-A", CHAIN_IN, "-p", "tcp", "-m", "multiport", "--dports", mine, "-j", "DROP")
    iptables("-A", CHAIN_IN, "-p", "tcp", "-m", "connmark", "--mark", CONNMARK, "-j", "DROP")
    iptables("-I", "OUTPUT", "-o", "lo", "-j", CHAIN_MARK, table="mangle")
    iptables("-I", "OUTPUT", "-o", "lo", "-j", CHAIN_OUT)
    iptables("-I", "INPUT", "-i", "lo", "-j", CHAIN_IN)


def dropped():
    """Packets the cut's DROP rules matched so far (evidence that it cut anything)."""
    out = subprocess.run(["iptables", "-w", "-L", CHAIN_OUT, "-v", "-n", "-x"], capture_output=True, text=True).stdout
    out += subprocess.run(["iptables", "-w", "-L", CHAIN_IN, "-v", "-n", "-x"], capture_output=True, text=True).stdout
    return sum(int(line.split()[0]) for line in out.splitlines() if "DROP" in line.split()[2:3])
