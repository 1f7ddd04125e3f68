"""Work that holds a thread as long as a transfer lasts gets a thread of its own.

asyncio's default pool has only CPUs + 4 threads (6 here), and the short hand-offs of
every request (reading an upload's spool, building a client) queue for it: six loads
each holding a pool thread for its engine call froze the whole server for good.
"""

import asyncio
import threading


async def in_own_thread(function, *args):
    """`function(*args)` on a new daemon thread; its result or its exception, awaited."""
    loop = asyncio.get_running_loop()
    done = loop.create_future()

    def settle(result, error):
        if done.cancelled():
            return
        if error is not None:
            done.set_exception(error)
        else:
            done.set_result(result)

    def run():
        try:
            outcome = (function(*args), None)
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting task
            outcome = (None, exc)
        try:
            loop.call_soon_threadsafe(settle, *outcome)
        except RuntimeError:  # the loop is gone: nobody waits
            pass

    threading.Thread(target=run, daemon=True, name=getattr(function, "__name__", "transfer")).start()
    return await done
