"""Issue 12, crash safety: `kill -9` of the server at random moments while deliveries
arrive and runs go on, then a restart: no accepted delivery is lost or run twice, and
no run is left queued or in progress (those a crash interrupted are concluded
`interrupted`, or run again as a new attempt with --requeue-interrupted)."""

import os
import random
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from serverlib import ServerTest  # noqa: E402

WORK = """\
name: Work
on: push
jobs:
  work:
    runs-on: ubuntu-latest
    steps:
      - run: echo "working on ${{ github.sha }}"; sleep 0.$(( RANDOM % 5 ))
      - run: echo done
"""

SEED = int(os.environ.get("PW_CRASH_SEED", random.randrange(1 << 30)))


class CrashTest(ServerTest):
    WORKFLOWS = {"work.yml": WORK}
    SERVE_ARGS = ("--requeue-interrupted",)

    def test_kill9_at_random_points_loses_nothing(self):
        rng = random.Random(SEED)
        print(f"PW_CRASH_SEED={SEED}", file=sys.stderr)
        s = self.server
        shas = [self.repo.commit({"f.txt": str(i)}, f"c{i}") for i in range(24)]
        # One delivery id per commit: a delivery that got no answer is sent again with
        # the same id, as GitHub's redelivery does, so it may never run twice.
        deliveries = {sha: f"crash-{i}-{SEED}" for i, sha in enumerate(shas)}
        accepted = set()
        pending = list(shas)
        kills = 0
        # Batches of deliveries, then kills while the runs they queued go on.
        while pending or kills < 8:
            batch, pending = pending[:6], pending[6:]

            def send(batch=batch):
                for sha in batch:
                    try:
                        status, _, _ = s.push_hook(self.REPO, self.repo, after=sha,
                                                   delivery=deliveries[sha])
                    except OSError:
                        return  # the server died under us
                    if status == 202:
                        accepted.add(sha)
            sender = threading.Thread(target=send)
            sender.start()
            if kills < 8:
                # Kill while deliveries arrive and earlier runs go on.
                time.sleep(rng.uniform(0.0, 0.6))
                s.kill9()
                kills += 1
                sender.join()
                s.start()
            else:
                sender.join()
            pending += [sha for sha in batch if sha not in accepted]
        self.assertEqual(accepted, set(shas))

        # Settle: every accepted delivery becomes exactly one run, none stays open.
        def settled():
            runs = s.runs(self.admin, per_page=100)
            if any(r["status"] != "completed" for r in runs):
                return None
            return runs if len(runs) >= len(accepted) else None
        runs = s.wait_for("every accepted delivery to run", settled, timeout=600)
        by_sha = {}
        for r in runs:
            by_sha.setdefault(r["head_sha"], []).append(r)
        self.assertEqual(set(by_sha), accepted, f"seed {SEED}")
        for sha, rs in by_sha.items():
            self.assertEqual(len(rs), 1, (sha, rs, f"seed {SEED}"))
            run = s.run(self.admin, rs[0]["id"])
            # Interrupted runs were requeued as new attempts and completed.
            self.assertIn(run["conclusion"], ("success",), (run, f"seed {SEED}"))
        self.assertGreaterEqual(kills, 8)


if __name__ == "__main__":
    unittest.main()
