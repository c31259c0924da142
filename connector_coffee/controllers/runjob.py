# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The job runner's endpoint: an expected coffee failure is no HTTP error.

queue_job's ``/queue_job/runjob`` stores the failure of a job, calls its
on-fail hook, then raises the job's exception again: Odoo's HTTP layer logs
it once more and rolls the request back, and queue_job's job runner, which
gets an HTTP error, logs that with a traceback of its own. For a coffee job
that failed as expected (``job_log.expected_failure``: the machine refused
for good, or stayed unavailable past the job's retries), everything is said
by then: the failure is stored, the record says why, the log has its one line
(``job_log.ExpectedFailureFilter``). The request then ends normally, rolled
back as an error would have been; any other failure is raised as before.
"""

from odoo.addons.queue_job.controllers.main import RunJobController

from ..job_log import expected_failure


class CoffeeRunJobController(RunJobController):
    @classmethod
    def _runjob(cls, env, job):
        try:
            return super()._runjob(env, job)
        except Exception as err:
            if not expected_failure(err):
                raise
            # what Odoo's HTTP layer does to a failed request: nothing of
            # the job's transaction is kept (its failure is, in its own)
            env.cr.rollback()
