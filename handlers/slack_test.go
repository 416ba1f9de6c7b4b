package handlers

import (
	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/fakeslack"
)

// slackClient is a real slack-go client talking to the fake.
func slackClient(fs *fakeslack.Server) *slack.Client {
	return slack.New(fs.BotToken(), slack.OptionAPIURL(fs.APIURL()))
}
