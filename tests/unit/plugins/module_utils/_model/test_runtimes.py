# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Container runtimes found from files, and what their writes at start do to the predictions."""

from __future__ import annotations

from ansible_collections.hostnet.networkd.plugins.module_utils._files.view import MemoryFileSystem, Symlink
from ansible_collections.hostnet.networkd.plugins.module_utils._model.runtimes import EVERY_LINK, RuntimeWrite, find_runtimes

from ansible_collections.hostnet.networkd.tests.unit.plugins.module_utils.hosts import host, link_entry, network, report

UNITS = "/usr/lib/systemd/system/"
WANTS = "/etc/systemd/system/multi-user.target.wants/"
DOCKER_UNIT = ("[Unit]\nAfter=network-online.target docker.socket containerd.service\nWants=network-online.target\n\n"
               "[Service]\nEnvironmentFile=-/etc/default/docker\n"
               "ExecStart=/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock $DOCKER_OPTS\n\n"
               "[Install]\nWantedBy=multi-user.target\n")
DOCKER_ENABLED = {UNITS + "docker.service": DOCKER_UNIT, WANTS + "docker.service": Symlink(UNITS + "docker.service")}
UPLINK_FILE = {"/etc/systemd/network/10-up.network": network()}
ALL_ZERO = {"ipv4": {"all": 0, "default": 0, "uplink0": 0, "docker0": 0, "veth1a2b": 0, "lo": 0}}


def runtimes(files):
    fs = MemoryFileSystem({path: (value.encode() if isinstance(value, str) else value) for path, value in files.items()})
    return find_runtimes(fs)


def only(files):
    found, _warnings = runtimes(files)
    assert len(found) == 1, found
    return found[0]


def test_no_runtime_on_a_plain_host():
    assert runtimes(UPLINK_FILE) == ([], [])


def test_enabled_docker_writes_ip_forward_after_network_online():
    docker = only(DOCKER_ENABLED)
    assert (docker.name, docker.at_boot, docker.after_links) == ("docker", True, True)
    assert docker.writes == (RuntimeWrite("ipv4", "all", 1),)
    assert WANTS + "docker.service" in docker.evidence


def test_installed_but_not_enabled_docker_does_not_start_at_boot():
    assert only({UNITS + "docker.service": DOCKER_UNIT}).at_boot is False


def test_masked_docker_does_not_start_at_boot():
    docker = only({"/etc/systemd/system/docker.service": Symlink("/dev/null"), UNITS + "docker.service": DOCKER_UNIT,
                   WANTS + "docker.service": Symlink(UNITS + "docker.service")})
    assert docker.at_boot is False


def test_ip_forward_false_in_daemon_json_stops_the_write_and_says_where():
    docker = only(dict(DOCKER_ENABLED, **{"/etc/docker/daemon.json": '{\n  "ip-forward": false\n}\n'}))
    assert docker.writes == ()
    assert docker.note == '"ip-forward": false in /etc/docker/daemon.json:2'


def test_ip_forward_false_in_a_dropin_command_line_stops_the_write():
    dropin = "/etc/systemd/system/docker.service.d/override.conf"
    docker = only(dict(DOCKER_ENABLED, **{dropin: "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd --ip-forward=false\n"}))
    assert docker.writes == ()
    assert "--ip-forward=false" in docker.note


def test_ip_forward_false_in_debians_docker_opts_stops_the_write():
    docker = only(dict(DOCKER_ENABLED, **{"/etc/default/docker": 'DOCKER_OPTS="--ip-forward=false --dns 192.0.2.1"\n'}))
    assert docker.writes == ()


def test_ipv6_in_daemon_json_adds_the_ipv6_writes():
    docker = only(dict(DOCKER_ENABLED, **{"/etc/docker/daemon.json": '{"ipv6": true, "fixed-cidr-v6": "fd00::/80"}'}))
    assert RuntimeWrite("ipv6", "all", 1) in docker.writes and RuntimeWrite("ipv6", "default", 1) in docker.writes


def test_invalid_daemon_json_is_a_warning_and_the_defaults_hold():
    found, warnings = runtimes(dict(DOCKER_ENABLED, **{"/etc/docker/daemon.json": "{oops"}))
    assert found[0].writes == (RuntimeWrite("ipv4", "all", 1),)
    assert any("/etc/docker/daemon.json: not valid JSON" in warning for warning in warnings)


def test_a_quadlet_container_installed_for_a_target_starts_netavark_at_boot():
    podman = only({"/etc/containers/systemd/web.container":
                   "[Container]\nImage=nginx\n\n[Install]\nWantedBy=multi-user.target\n"})
    assert (podman.name, podman.at_boot, podman.after_links) == ("podman", True, True)


def test_a_quadlet_container_on_the_host_network_writes_nothing():
    assert runtimes({"/etc/containers/systemd/web.container":
                     "[Container]\nImage=nginx\nNetwork=host\n\n[Install]\nWantedBy=multi-user.target\n"}) == ([], [])


def test_k3s_writes_all_and_default():
    k3s = only({"/etc/systemd/system/k3s.service": "[Unit]\nAfter=network-online.target\n[Service]\nExecStart=/usr/local/bin/k3s server\n",
                WANTS + "k3s.service": Symlink("/etc/systemd/system/k3s.service")})
    assert k3s.writes == (RuntimeWrite("ipv4", "all", 1, "net.ipv4.conf.all.forwarding"), RuntimeWrite("ipv4", "default", 1))
    assert k3s.cause == "k3s at its start (k3s.service): net.ipv4.conf.all.forwarding = 1, net.ipv4.conf.default.forwarding = 1"


def test_libvirt_writes_only_for_an_autostarted_nat_or_routed_network():
    unit = {UNITS + "libvirtd.service": "[Unit]\nAfter=network.target\n[Service]\nExecStart=/usr/sbin/libvirtd\n",
            WANTS + "libvirtd.service": Symlink(UNITS + "libvirtd.service")}
    nat = "<network><name>default</name><forward/><ip address='192.168.122.1'/></network>"
    bridged = "<network><name>host</name><forward mode='bridge'/><bridge name='br0'/></network>"
    autostart = "/etc/libvirt/qemu/networks/autostart/"
    assert only(dict(unit, **{autostart + "default.xml": nat})).writes == (RuntimeWrite("ipv4", "all", 1),)
    opened = "<network><name>open</name><forward mode='open'/><ip address='192.0.2.1'/></network>"
    assert only(dict(unit, **{autostart + "open.xml": opened})).writes == (RuntimeWrite("ipv4", "all", 1),)
    libvirt = only(dict(unit, **{autostart + "host.xml": bridged}))
    assert libvirt.writes == () and "no autostarted NAT or routed network" in libvirt.note


def test_a_runtime_not_ordered_after_network_online_is_warned_about():
    unit = {UNITS + "libvirtd.service": "[Unit]\nAfter=network.target\n",
            WANTS + "libvirtd.service": Symlink(UNITS + "libvirtd.service"),
            "/etc/libvirt/qemu/networks/autostart/default.xml": "<network><forward mode='nat'/></network>"}
    _found, warnings = runtimes(unit)
    assert warnings == ["libvirtd.service is not ordered after network-online.target: its forwarding write at boot may "
                        "come before networkd configures the links; the prediction assumes it comes first"]


def test_incus_writes_ipv6_on_every_link_and_says_what_it_assumed():
    incus = only({UNITS + "incus.service": "[Unit]\nAfter=network-online.target\n",
                  UNITS + "incus-startup.service": "[Unit]\nAfter=incus.socket incus.service\n",
                  WANTS + "incus-startup.service": Symlink(UNITS + "incus-startup.service")})
    assert RuntimeWrite("ipv6", EVERY_LINK, 1) in incus.writes
    assert "its database is not read" in incus.note


# -- what the writes do to the predictions ---------------------------------------------------------

def test_dockers_write_at_boot_turns_every_link_on_and_is_named_as_the_source():
    uplink = link_entry(report(dict(UPLINK_FILE, **DOCKER_ENABLED), 257), "uplink0")["ipv4"]
    assert uplink["after_boot"] == 1 and uplink["risk"] is None
    assert uplink["after_boot_source"] == "dockerd at its start (docker.service): net.ipv4.ip_forward = 1"


def test_without_a_runtime_the_kernel_default_stays():
    assert link_entry(report(UPLINK_FILE, 257), "uplink0")["ipv4"]["after_boot"] == 0


def test_a_runtime_told_not_to_write_is_named_in_the_risk():
    files = dict(UPLINK_FILE, **DOCKER_ENABLED)
    files["/etc/docker/daemon.json"] = '{"ip-forward": false}'
    risk = link_entry(report(files, 257), "uplink0")["ipv4"]["risk"]
    assert risk.endswith('dockerd does not turn it on: "ip-forward": false in /etc/docker/daemon.json:1.')


def test_an_event_that_undoes_the_runtimes_write_says_it_comes_back_only_with_the_runtime():
    files = dict(DOCKER_ENABLED, **{"/etc/systemd/network/10-up.network": network(network="IPv4Forwarding=no")})
    uplink = link_entry(report(files, 257, live=ALL_ZERO), "uplink0")["ipv4"]
    assert uplink["after_reconfigure"] == 0
    assert "dockerd writes 1 only when it starts" in uplink["risk"]


def test_a_runtime_ordered_after_the_links_overrides_networkds_per_link_zero_at_boot():
    """networkd writes 0 to the link, then dockerd's ip_forward 0 -> 1 spreads to every link."""
    files = dict(DOCKER_ENABLED, **{"/etc/systemd/network/10-up.network": network(network="IPv4Forwarding=no")})
    assert link_entry(report(files, 257), "uplink0")["ipv4"]["after_boot"] == 1


def test_a_runtime_ordered_before_the_links_loses_to_networkds_per_link_zero_at_boot():
    files = {"/etc/systemd/network/10-up.network": network(network="IPv4Forwarding=no"),
             UNITS + "docker.service": DOCKER_UNIT.replace("After=network-online.target", "After=network.target"),
             WANTS + "docker.service": Symlink(UNITS + "docker.service")}
    assert link_entry(report(files, 257), "uplink0")["ipv4"]["after_boot"] == 0


def test_the_report_lists_the_runtimes():
    result = report(dict(UPLINK_FILE, **DOCKER_ENABLED), 252)
    assert [runtime["name"] for runtime in result["runtimes"]] == ["docker"]
    assert result["runtimes"][0]["writes"] == ["net.ipv4.ip_forward = 1"]


def test_incus_ipv6_write_reaches_every_link_at_boot():
    files = dict(UPLINK_FILE, **{UNITS + "incus.service": "[Unit]\nAfter=network-online.target\n",
                                 WANTS + "incus.service": Symlink(UNITS + "incus.service")})
    view = host(files, 257)
    for name in ("uplink0", "docker0", "all", "default"):
        assert view.model.boot_state.get("ipv6", name).value == 1, name


def test_the_evidence_names_the_runtimes_instead_of_a_fixed_role():
    from ansible_collections.hostnet.networkd.plugins.module_utils._report.evidence import NO_RUNTIME_ROLE, build_evidence
    docker_host = host(dict(UPLINK_FILE, **DOCKER_ENABLED), 257)
    evidence = build_evidence(docker_host, docker_host.links)
    assert (evidence["role"], evidence["runtimes"]) == ("container host: docker", ["docker"])
    idle = host(dict(UPLINK_FILE, **{UNITS + "docker.service": DOCKER_UNIT}), 257)
    assert build_evidence(idle, idle.links)["role"] == "container host: docker installed, not started at boot"
    plain = host(UPLINK_FILE, 257)
    assert build_evidence(plain, plain.links)["role"] == NO_RUNTIME_ROLE
