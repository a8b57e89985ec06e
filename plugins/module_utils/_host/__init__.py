# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the host is: the parsers of its tools' output, the metabase, the IIS services, appcmd, the MTS/COM+
catalog, and HostFacts read from the gather line.  Reads through any object with a ``run`` method (the
session); imports _cmd and nothing above it."""
