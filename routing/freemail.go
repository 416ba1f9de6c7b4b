package routing

import "strings"

// freeMailDomains are mailbox providers anyone can sign up to. A lead
// writing from one of them tells us nothing about their employer, so such a
// domain never matches an account (and accounts import refuses it). The list
// covers the large global and regional providers; it is not exhaustive, and
// a domain missing from it only means one more row accounts import accepts.
var freeMailDomains = func() map[string]bool {
	const list = "" +
		// global
		"gmail.com googlemail.com outlook.com hotmail.com live.com msn.com " +
		"yahoo.com ymail.com rocketmail.com aol.com icloud.com me.com mac.com " +
		"proton.me protonmail.com pm.me tutanota.com tuta.io fastmail.com " +
		"zoho.com mail.com gmx.com hey.com hushmail.com " +
		// regional variants of the big ones
		"hotmail.co.uk hotmail.fr hotmail.de hotmail.it hotmail.es live.co.uk " +
		"outlook.fr outlook.de yahoo.co.uk yahoo.fr yahoo.de yahoo.es yahoo.it " +
		"yahoo.co.jp yahoo.com.br yahoo.co.in " +
		// national providers
		"gmx.de gmx.net gmx.at gmx.ch web.de t-online.de freenet.de " +
		"orange.fr free.fr laposte.net sfr.fr wanadoo.fr libero.it virgilio.it " +
		"btinternet.com sky.com virginmedia.com seznam.cz wp.pl o2.pl interia.pl onet.pl " +
		"yandex.ru yandex.com mail.ru rambler.ru qq.com 163.com 126.com sina.com " +
		"naver.com daum.net hanmail.net rediffmail.com uol.com.br bol.com.br " +
		"comcast.net verizon.net att.net sbcglobal.net bigpond.com"
	m := make(map[string]bool)
	for _, d := range strings.Fields(list) {
		m[d] = true
	}
	return m
}()

// IsFreeMail reports whether domain belongs to a free mailbox provider (see
// freeMailDomains), so callers never look such a domain up as an account.
func IsFreeMail(domain string) bool {
	return freeMailDomains[normDomain(domain)]
}
