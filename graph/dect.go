package graph

import (
	"context"

	"lms/catalog"
	"lms/db"
	"lms/graph/model"
)

// dectUploadCustomer is the customer of an upload's location.
func (r *Resolver) dectUploadCustomer(ctx context.Context, up *db.DectUpload) (*db.Customer, error) {
	loc, err := r.loaders(ctx).locations.Load(ctx, up.LocationID)
	if err != nil || loc == nil {
		return nil, err
	}
	return r.customer(ctx, loc.CustomerID)
}

// dectUploadSystemType is the system type of an upload's location.
func (r *Resolver) dectUploadSystemType(ctx context.Context, up *db.DectUpload) (*catalog.SystemType, error) {
	loc, err := r.loaders(ctx).locations.Load(ctx, up.LocationID)
	if err != nil || loc == nil {
		return nil, err
	}
	return r.loaders(ctx).systemTypes.Load(ctx, loc.SystemType)
}

// dectUploadLines numbers an upload's lines and finds their parts in one
// call (the catalog: no statement), however many lines the file has.
func (r *Resolver) dectUploadLines(ctx context.Context, up *db.DectUpload) ([]model.DectUploadLine, error) {
	numbers := make([]string, len(up.Lines))
	for i, l := range up.Lines {
		numbers[i] = l.PartNumber
	}
	parts, err := r.loaders(ctx).parts.loadAll(ctx, numbers)
	if err != nil {
		return nil, err
	}
	out := make([]model.DectUploadLine, len(up.Lines))
	for i, l := range up.Lines {
		out[i] = model.DectUploadLine{Number: i + 1, Part: parts[i], Quantity: l.Quantity}
	}
	return out, nil
}

// dectUploadChanged parses the subscription's arguments for
// WatchDectUploads. Its errors name the argument they concern.
func (r *Resolver) dectUploadChanged(ctx context.Context, locationID string, uploadID *string) (<-chan *db.DectUpload, error) {
	locID, err := parseID(locationID, "Location", "locationId")
	if err != nil {
		return nil, onArguments(err)
	}
	id, err := parseOptionalID(uploadID, "DectUpload", "uploadId")
	if err != nil {
		return nil, onArguments(err)
	}
	ups, err := r.Services.Files.WatchDectUploads(ctx, locID, id)
	return ups, onArguments(err)
}
