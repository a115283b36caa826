// Package mail renders and sends LMS's email notifications (SPEC §9).
//
// Each kind of email is a data struct (see emails.go) whose Template method
// names its embedded templates: a subject, a plain-text body and an HTML
// body sharing one layout. [Render] turns such a struct into a [Rendered]
// email; a [Sender] delivers it over SMTP as a multipart/alternative
// message. Workers that retry failed deliveries ask [IsPermanent] whether a
// failure is worth retrying.
//
// Package mailtest provides an in-process SMTP server for tests.
package mail
