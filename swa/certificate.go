package swa

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/google/uuid"

	"lms/actor"
	"lms/apperr"
	"lms/audit"
	"lms/db"
	"lms/downloadlink"
	"lms/swa/certificate"
)

// CertificatePath is the HTTP path the PDF certificate of one agreement
// version is downloaded from (issue 15): by a signed-in user (Certificate),
// or by whoever holds a mail's signed link (CertificateByLink).
func CertificatePath(agreementID uuid.UUID) string {
	return "/swa-certificates/" + agreementID.String()
}

// CertificateFile is the certificate of one agreement version, ready to
// download.
type CertificateFile struct {
	// FileName is SWA-<agreement number with suffix>.pdf.
	FileName string
	Content  []byte
}

// Certificate returns the PDF certificate of the agreement version
// agreementID (N, W or a renewal R01, R02, …), rendered at each call from
// the version and its location. It is authorised like a license file download: every
// user of the partner holding the agreement, and the license desk. The
// SWA_ADMIN role is not needed: the certificate is the customer's proof of
// cover, which the "SWA activated" mail already sends to all of the
// partner's users, and it changes nothing. Errors: UNAUTHENTICATED,
// NOT_FOUND (also another partner's).
func (s *Service) Certificate(ctx context.Context, agreementID uuid.UUID) (*CertificateFile, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.certificate(ctx, agreementID, a)
	if err != nil {
		return nil, err
	}
	return c.file(ctx)
}

// CertificateByLink returns the certificate of the agreement version a
// mail's signed link names to whoever holds the link: no user is signed
// in, and the link grants this one version until it expires and nothing
// else. Each use is recorded on the partner's trail, via
// audit.ViaEmailedLink. Call it only for a request without a signed-in
// user: a bearer token's rules come first (Certificate).
// Errors: downloadlink.ErrInvalid and downloadlink.ErrExpired (FORBIDDEN,
// found before anything is read), NOT_FOUND.
func (s *Service) CertificateByLink(ctx context.Context, agreementID uuid.UUID, link downloadlink.Link) (*CertificateFile, error) {
	if err := s.Links.Verify(downloadlink.SwaCertificate, agreementID, link, s.now()); err != nil {
		return nil, err
	}
	c, err := s.certificate(ctx, agreementID, nil)
	if err != nil {
		return nil, err
	}
	f, err := c.file(ctx)
	if err != nil {
		return nil, err
	}
	err = audit.Record(ctx, s.DB, audit.Event{
		Action:     "swa.download_certificate",
		PartnerIDs: []uuid.UUID{c.partnerID},
		Objects:    []string{audit.Ref("Location", c.locationID), audit.Ref("SwaAgreement", agreementID)},
		Summary: map[string]any{
			"agreement": c.AgreementNumber, "fileName": f.FileName,
			"linkExpiresAt": link.Expires.UTC().Format(time.RFC3339),
		},
		Via: audit.ViaEmailedLink,
	})
	if err != nil {
		return nil, fmt.Errorf("download SWA certificate %s by link: %w", agreementID, err)
	}
	return f, nil
}

// agreementCertificate is what a certificate says, with whose it is.
type agreementCertificate struct {
	certificate.Certificate
	partnerID, locationID uuid.UUID
}

// renderTurns bounds the certificates rendered at once to the processor's
// cores: one render takes about 8 ms of CPU and allocates about 10 MB
// (BenchmarkRender), so a burst of downloads queues here instead of
// growing the heap by 10 MB per request.
var renderTurns = make(chan struct{}, runtime.GOMAXPROCS(0))

func (c *agreementCertificate) file(ctx context.Context) (*CertificateFile, error) {
	select {
	case renderTurns <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-renderTurns }()
	pdf, err := certificate.Render(c.Certificate)
	if err != nil {
		return nil, err
	}
	return &CertificateFile{FileName: certificate.FileName(c.AgreementNumber), Content: pdf}, nil
}

// certificate reads what the certificate of agreementID says, in one
// statement; a (nil for a signed link) restricts it to the actor's partner.
// The agreement's number, dates, units and issue moment are the version's
// own; the names and the Hardware Key Code are the location's now, since
// SWA moves with the location (a hardware replacement keeps it).
func (s *Service) certificate(ctx context.Context, agreementID uuid.UUID, a *actor.Actor) (*agreementCertificate, error) {
	var row struct {
		db.SwaAgreement `bun:",extend"`
		Customer        string `bun:"customer"`
		Location        string `bun:"location"`
		HardwareKeyCode string `bun:"hardware_key_code"`
		SystemType      string `bun:"system_type"`
		App             string `bun:"app"`
		Partner         string `bun:"partner"`
	}
	q := s.DB.NewSelect().Model(&row).
		ColumnExpr("sag.*, c.name AS customer, l.name AS location, l.hardware_key_code, st.name AS system_type, sa.name AS app, p.name AS partner").
		Join("JOIN locations AS l ON l.id = sag.location_id").
		Join("JOIN customers AS c ON c.id = l.customer_id").
		Join("JOIN system_types AS st ON st.code = l.system_type").
		Join("JOIN swa_applications AS sa ON sa.code = sag.application").
		Join("JOIN partners AS p ON p.id = sag.partner_id").
		Where("sag.id = ?", agreementID)
	if a != nil {
		q = a.Restrict(q, "sag.partner_id")
	}
	if err := q.Scan(ctx); isNoRows(err) {
		return nil, apperr.NotFoundf("SWA agreement")
	} else if err != nil {
		return nil, fmt.Errorf("load SWA agreement %s for its certificate: %w", agreementID, err)
	}
	ag := &row.SwaAgreement
	return &agreementCertificate{
		Certificate: certificate.Certificate{
			AgreementNumber: ag.FullNumber(), CustomerName: row.Customer, LocationName: row.Location,
			SystemTypeName: row.SystemType, HardwareKeyCode: row.HardwareKeyCode, ApplicationName: row.App,
			StartsOn: ag.StartsOn, EndsOn: ag.EndsOn, TermMonths: ag.TermMonths,
			Units: ag.Units, ReinstatementUnits: ag.ReinstatementUnits, ReferenceNote: ag.ReferenceNote,
			PartnerName: row.Partner, IssuedAt: ag.CreatedAt,
		},
		partnerID: ag.PartnerID, locationID: ag.LocationID,
	}, nil
}

// certificateLink is the link a mail carries to the certificate of one
// agreement version: signed, so that its recipient downloads it in a
// browser without an API token, until it expires (downloadlink.Validity
// from now); afterwards they sign in and download it from the location.
type certificateLink struct {
	URL     string
	Expires time.Time
}

// emailedCertificateLink signs a link to the certificate of agreementID
// for a mail (SwaActivated, renewals).
func (s *Service) emailedCertificateLink(agreementID uuid.UUID) certificateLink {
	l := s.Links.Sign(downloadlink.SwaCertificate, agreementID, s.now().Add(downloadlink.Validity))
	return certificateLink{URL: s.PublicURL + CertificatePath(agreementID) + "?" + l.Query(), Expires: l.Expires}
}
