# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An offline stand-in for get-pip.py, which ansible-test downloads from ci-files.testing.ansible.com.

ansible-test --venv creates its virtual environments without pip and runs
get-pip.py in them with pip's install arguments. Where that host cannot be
reached, the Makefile puts this script in ansible-test's cache instead: it
installs the pip wheel that ships with Python (ensurepip), then lets that pip
install what get-pip.py was asked for, from the package index pip is
configured to use.
"""

import subprocess
import sys

GET_PIP_ONLY_OPTIONS = ("--no-setuptools", "--no-wheel")

# In a child process: ensurepip points PIP_CONFIG_FILE at /dev/null in its own environment,
# and the install below needs the machine's pip configuration (index, certificates).
subprocess.check_call([sys.executable, "-m", "ensurepip"])
subprocess.check_call([sys.executable, "-m", "pip", "install"]
                      + [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS])
