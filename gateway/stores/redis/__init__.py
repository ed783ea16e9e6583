"""Redis stores over redis-py's asyncio client (hiredis parser)."""
