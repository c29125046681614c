"""The parts of scripts/nemesis (see its docstring): util (printing, HTTP on loopback, free ports),
processes (every child ends with the check), postgres, double (the provider double), cluster (the
three broker nodes), api (the broker's HTTP routes), partition (iptables), load (the steady
client), faults (the seeded schedule and its faults), logs (the nodes' logs), check (the phases
and the assertions)."""
