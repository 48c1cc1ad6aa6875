"""The one owner of the `communications` row, a message's life from queued to converted:
reach (who a message can reach), queue (every insert), claimed/claims (claim and acknowledge),
receipts/group_commit (the lifecycle), lifecycle (stages and status), stats (every read)."""
