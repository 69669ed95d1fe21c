"""Publishing findings: pseudonymisation, snapshots, the Voila app and the static HTML report."""
