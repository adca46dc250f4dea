package alerts

// Permalink is the web link of the Slack message ts in channel (an ID),
// or "" when ts is not a Slack message ts.
func Permalink(channel, ts string) string { return permalink(channel, ts) }
