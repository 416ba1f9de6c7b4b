package storage

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"

	"github.com/handoffbot/handoffbot/domain"
)

// Postgres's answers become the domain's codes once, here. Insufficient
// resources (class 53: too many connections, out of memory or disk) and
// operator intervention (57P: shut down, crashed, starting up; 57014: a
// statement cancelled, as a statement_timeout does) mean nothing was saved
// and trying again later may work: unavailable, never "something went
// wrong".
func TestMapErrorNamesWhatPeopleCanDo(t *testing.T) {
	for _, c := range []struct {
		code         pqerror.Code
		want, saying string
	}{
		{"53300", domain.EUNAVAIL, "busy"}, // too_many_connections
		{"53000", domain.EUNAVAIL, "busy"}, // insufficient_resources
		{"53100", domain.EUNAVAIL, "busy"}, // disk_full
		{"53200", domain.EUNAVAIL, "busy"}, // out_of_memory
		{"53400", domain.EUNAVAIL, "busy"}, // configuration_limit_exceeded
		{"57014", domain.EUNAVAIL, "busy"}, // query_canceled
		{"57P01", domain.EUNAVAIL, "not answering"},
		{"57P02", domain.EUNAVAIL, "not answering"},
		{"57P03", domain.EUNAVAIL, "not answering"},
		{"57P04", domain.EUNAVAIL, "not answering"},
		{"08006", domain.EUNAVAIL, "not answering"},
		{"23505", domain.ECONFLICT, "already exists"},
		{"23514", domain.EINVALID, "not allowed"},
		{"22021", domain.EINVALID, "cannot be saved"},
		{"42P01", domain.EINTERNAL, "went wrong"},
	} {
		err := mapError(fmt.Errorf("insert handoff: %w", &pq.Error{Code: c.code, Message: "from Postgres"}))
		if got := domain.ErrorCode(err); got != c.want {
			t.Errorf("%s: code %q, want %q", c.code, got, c.want)
		}
		if msg := domain.ErrorMessage(err); !strings.Contains(msg, c.saying) {
			t.Errorf("%s: message %q, want it to say %q", c.code, msg, c.saying)
		}
		if pe, ok := errors.AsType[*pq.Error](err); !ok || pe.Code != c.code {
			t.Errorf("%s: Postgres's error is gone from the chain: %v", c.code, err)
		}
	}
}
