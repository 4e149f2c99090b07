"""Durable background work: imports, approved and scheduled pushes, upkeep (DBOS Transact on the app's database)."""
