// Package fakeslack is a fake Slack for testing and demonstrating the bot:
// a Socket Mode server, the Web API methods the bot calls, a workspace
// (users, user groups, channels, DMs) and a user simulator, so that tests
// read like what people do.
//
// It listens on a real TCP socket on 127.0.0.1 and is driven by the real
// slack-go client, unchanged:
//
//	api := slack.New(s.BotToken(), slack.OptionAppLevelToken(s.AppToken()),
//		slack.OptionAPIURL(s.APIURL()))
//	client := socketmode.New(api)
//
// # A test written with it
//
// Expected things are consumed when asserted; at the end, anything that
// nobody expected fails the test. That is how a duplicate notification
// gets caught.
//
//	func TestHandoffAccepted(t *testing.T) {
//		s, err := fakeslack.New()
//		if err != nil {
//			t.Fatal(err)
//		}
//		defer s.Close()
//		s.AddUser(fakeslack.User{ID: "UALICE", Name: "alice"})
//		s.AddUser(fakeslack.User{ID: "UBOB", Name: "bob"})
//		s.AddChannel(fakeslack.Channel{ID: "CHANDOFF", Name: "handoffs", BotIsMember: true})
//		stop := startBot(t, s.APIURL(), s.AppToken(), s.BotToken()) // the code under test
//
//		alice, bob := s.User("UALICE"), s.User("UBOB")
//		alice.Slash(t, "CHANDOFF", "/handoff")
//		alice.ExpectModal(t).
//			Fill("Lead name", "Ada Lovelace").
//			Select("Hand off to", "Sales").
//			SelectUser("Assignee", "UBOB").
//			Submit(t)
//		card := s.Channel("CHANDOFF").ExpectMessage(t, "Ada Lovelace")
//		bob.Click(t, card, "Accept")
//		if got := card.ExpectUpdate(t).Text(); !strings.Contains(got, "Accepted") {
//			t.Errorf("card after accept: %s", got)
//		}
//		alice.ExpectDM(t, "accepted")
//		stop() // drain the bot's workers so late duplicates are seen
//		s.ExpectNothingElse(t)
//	}
//
// # What it checks, like Slack
//
// Tokens (not_authed, invalid_auth, not_allowed_token_type, token_revoked,
// account_inactive after UninstallApp), channel membership
// (not_in_channel, channel_not_found), Block Kit limits (invalid_blocks
// for messages, invalid_arguments for views), message length
// (msg_too_long), empty messages (no_text), trigger_id expiry (3 s) and
// single use (expired_trigger_id, exchanged_trigger_id), view hashes
// (hash_conflict), response_url limits (5 posts within 30 minutes, then
// 404 used_url or expired_url), the 3-second ack deadline (an unacked
// events_api envelope is redelivered with retry_attempt and retry_reason
// "timeout" on Slack's schedule: at once, a minute later, five minutes
// later; see WithRedeliverySchedule), the 20 KB ack limit, and the checks
// the Slack client makes before submitting a modal (required inputs,
// email/url/number formats). Slack fills in missing block_id and
// action_id values; so does the fake, so payloads always carry them.
//
// conversations.history and conversations.replies page with cursor,
// limit, has_more and response_metadata.next_cursor, bounded by oldest,
// latest and inclusive, and show message metadata with
// include_all_metadata. Custom workflow steps (AddFunction, RunFunction)
// check their completion: execution_not_in_running_state,
// function_execution_not_found, parameter_validation_failed. With
// WithPostingLimit, chat.postMessage allows about one message per second
// per channel and answers 429 with Retry-After beyond it.
//
// Every envelope names the installation it is for (team_id, api_app_id,
// enterprise_id in Grid, authorizations; team, user.team_id and
// enterprise in interactions); WithInstallation sets it, UserSim.For and
// SendEventFor send as if for another team or app. Users may belong to
// another team: a Slack Connect guest, or a sibling Grid workspace's
// member. Administrators' changes send their events: ChangeUser
// (user_change), SetUserGroupMembers (subteam_members_changed),
// RevokeBotToken (tokens_revoked) and UninstallApp (tokens_revoked,
// app_uninstalled).
//
// Where Slack's behaviour is undocumented the fake picks the stricter
// reading and says so in the method's doc: chat.update without a blocks
// field removes the blocks, and a thread_ts that names no message fails
// with thread_not_found. Behaviour that is easy to miss is kept: a plain
// ack of a view_submission closes only the submitted view (a stack returns
// to the previous one); views.update keeps what the user typed into inputs
// whose block_id and action_id are unchanged, ignoring a new initial
// value; a mention in a channel sends both app_mention and message events.
//
// # Failures, timing and TB
//
// The Expect* helpers wait up to WithWaitTimeout (10 s by default) on
// state changes (no polling loops, no sleeps) and then fail through TB,
// listing what did arrive. TB may be a *testing.T or anything with Helper
// and Fatalf; when Fatalf returns instead of stopping the goroutine,
// helpers return nil and methods on nil *Message and *View are safe.
//
// Rules that span seconds to minutes run on the clock WithClock injects:
// trigger_id and response_url expiry, the posting limit, the delays
// between event redeliveries, and message timestamps. A test moves its
// clock and, for redeliveries, calls ClockAdvanced. What paces the socket
// stays real time: pings, the ack deadline (WithAckTimeout), and
// Fault.Latency.
//
// Fault makes Web API calls fail as Slack does: errors, 5xx, 429 with
// Retry-After, slow replies, and Applied for a call that took effect
// although the reply was a 502 or never came.
//
// # The demo
//
// Transcript returns everything any person could see (messages, thread
// replies, updates, ephemerals, DMs, modals, Home tabs, files) and what
// people did, in order; RenderText turns Block Kit into readable text.
package fakeslack
