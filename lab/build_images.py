"""Build the lab's systemd images with debootstrap and ``docker import``.

Reads the platform list from extensions/molecule/config.yml (the one list of
platforms), resolves each image name the way Molecule does (environment
variables with defaults), and builds every image of the ``hostnet-lab``
repository that is missing or whose recipe changed. Images of any other
repository are someone else's (a public image on a user's CI) and are left
alone.

The recipe is this file plus the suite: its hash is stored as an image label,
so editing the package list or the build steps rebuilds every image once.
"""

import argparse
import concurrent.futures
import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import yaml

LAB_REPOSITORY = "hostnet-lab"
RECIPE_LABEL = "org.hostnet.lab.recipe"
PACKAGES = (
    "systemd", "systemd-sysv", "dbus", "udev", "python3", "iproute2",
    "procps", "netplan.io", "nftables", "iptables", "openssh-server",
)
HERE = os.path.dirname(os.path.abspath(__file__))
PLATFORMS_FILE = os.path.join(HERE, os.pardir, "extensions", "molecule", "config.yml")
DEB_CACHE = os.environ.get("HOSTNET_LAB_DEB_CACHE", "/var/cache/hostnet-lab/debs")

_VARIABLE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}")


def interpolate(text):
    """Expand ``${NAME}`` and ``${NAME:-default}`` as Molecule does."""
    def expand(match):
        value = os.environ.get(match.group("name"))
        return value if value else (match.group("default") or "")
    return _VARIABLE.sub(expand, text)


def lab_platforms(path=PLATFORMS_FILE):
    """Yield (platform name, image, suite) for every platform of the lab."""
    with open(path, encoding="utf-8") as stream:
        config = yaml.safe_load(interpolate(stream.read()))
    host_vars = config["provisioner"]["inventory"]["host_vars"]
    for platform in config["platforms"]:
        yield platform["name"], platform["image"], host_vars[platform["name"]]["hostnet_lab_suite"]


def recipe_hash(suite):
    with open(os.path.abspath(__file__), "rb") as stream:
        return hashlib.sha256(stream.read() + suite.encode()).hexdigest()[:16]


def debian_mirror():
    """The Debian mirror this machine already uses, read from its apt sources."""
    candidates = []
    for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        with open(path, encoding="utf-8") as stream:
            for stanza in stream.read().split("\n\n"):
                fields = dict(
                    line.split(":", 1) for line in stanza.splitlines()
                    if ":" in line and not line.lstrip().startswith("#"))
                if fields.get("Types", "").split() == ["deb"] or "deb" in fields.get("Types", "").split():
                    candidates.extend(fields.get("URIs", "").split())
    for path in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
        if os.path.exists(path):
            with open(path, encoding="utf-8") as stream:
                for line in stream:
                    words = line.split()
                    if words[:1] == ["deb"]:
                        candidates.append(next(w for w in words[1:] if not w.startswith("[")))
    for uri in candidates:
        if uri.rstrip("/").endswith("/debian") and "security" not in uri:
            return uri
    sys.exit("build_images: no Debian mirror found in /etc/apt/sources.list*; "
             "set HOSTNET_LAB_MIRROR to one")


def image_recipe(image):
    result = subprocess.run(
        ["docker", "image", "inspect", "--format",
         "{{ index .Config.Labels \"%s\" }}" % RECIPE_LABEL, image],
        capture_output=True, text=True, check=False)
    return result.stdout.strip() if result.returncode == 0 else None


def build(image, suite, mirror):
    recipe = recipe_hash(suite)
    if image_recipe(image) == recipe:
        print(f"{image}: up to date (recipe {recipe})")
        return
    started = time.monotonic()
    cache = os.path.join(DEB_CACHE, suite)
    os.makedirs(cache, exist_ok=True)
    rootfs = tempfile.mkdtemp(prefix=f"hostnet-lab-{suite}-", dir="/var/tmp")
    log_path = rootfs + ".log"
    try:
        with open(log_path, "w", encoding="utf-8") as log:
            subprocess.run(
                ["debootstrap", "--variant=minbase", f"--include={','.join(PACKAGES)}",
                 f"--cache-dir={cache}", suite, rootfs, mirror],
                stdout=log, stderr=subprocess.STDOUT, check=True)
            prepare_rootfs(rootfs, suite, log)
            tar = subprocess.Popen(["tar", "-C", rootfs, "-c", "."], stdout=subprocess.PIPE)
            subprocess.run(
                ["docker", "import",
                 "-c", 'CMD ["/lib/systemd/systemd"]',
                 "-c", "ENV container=docker",
                 "-c", f"LABEL {RECIPE_LABEL}={recipe}",
                 "-", image],
                stdin=tar.stdout, stdout=log, stderr=subprocess.STDOUT, check=True)
            tar.stdout.close()
            if tar.wait() != 0:
                raise subprocess.CalledProcessError(tar.returncode, "tar")
    except subprocess.CalledProcessError as error:
        sys.exit(f"{image}: build failed ({error}); see {log_path}")
    finally:
        shutil.rmtree(rootfs, ignore_errors=True)
    os.unlink(log_path)
    print(f"{image}: built from {suite} in {time.monotonic() - started:.0f} s (recipe {recipe})")


def prepare_rootfs(rootfs, suite, log):
    """Turn a debootstrapped tree into a bootable container image."""
    def chroot(*command):
        subprocess.run(["chroot", rootfs, *command], check=True, stdout=log, stderr=subprocess.STDOUT)

    chroot("systemctl", "enable", "systemd-networkd.service")
    # Units that only make sense on real hardware or a console; in a container
    # they fail or wait and slow every boot down.
    chroot("systemctl", "mask", "getty@tty1.service", "serial-getty@.service",
           "systemd-networkd-wait-online.service", "apt-daily.timer",
           "apt-daily-upgrade.timer", "e2scrub_reap.service",
           # netplan >= 1.0 configures links at boot through udev, which a
           # container does not run; `netplan generate` still works.
           "netplan-configure.service")
    with open(os.path.join(rootfs, "etc", "hostname"), "w", encoding="utf-8") as stream:
        stream.write(f"lab-{suite}\n")
    for leftover in glob.glob(os.path.join(rootfs, "var", "cache", "apt", "archives", "*.deb")):
        os.unlink(leftover)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="images built at once (default 2)")
    args = parser.parse_args()
    mirror = os.environ.get("HOSTNET_LAB_MIRROR") or debian_mirror()
    wanted = [(image, suite) for _name, image, suite in lab_platforms()
              if image.split(":", 1)[0] == LAB_REPOSITORY]
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for future in [pool.submit(build, image, suite, mirror) for image, suite in wanted]:
            future.result()


if __name__ == "__main__":
    main()
