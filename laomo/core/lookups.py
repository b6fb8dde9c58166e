"""`__in` on integer columns ignores integers the column cannot hold.

Django 5 already answers an `exact`/`gt`/`lt` lookup with an out-of-range integer as "no match", but
`pk__in=[2**70]` still reaches the database: OverflowError on SQLite, "bigint out of range" on
PostgreSQL — a 500 for any id list typed by a client (found by schemathesis on the API). Such an id
can match no row, so it is dropped here, as Django drops None from the list.
"""

from django.db.models import IntegerField
from django.db.models.lookups import In


@IntegerField.register_lookup  # AutoField and BigAutoField are IntegerFields: covers pk__in
class IntegerFieldIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(self.lhs.output_field.get_internal_type())
            self.rhs = [v for v in self.rhs if not isinstance(v, int)
                        or ((low is None or v >= low) and (high is None or v <= high))]
        return super().process_rhs(compiler, connection)
