"""Storage: schema, migrations, the Project object and the event log."""
