"""Block Kit builders: pure functions from loyalty models to slack-sdk blocks, messages and modals.

Views never call the API. Every user- or API-provided text is escaped and cut to Slack's limits here
(see `common`), and every action, callback and block id lives in `ids`.
"""
