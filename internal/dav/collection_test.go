package dav

import (
	"testing"
)

func TestCalendarLifecycle(t *testing.T) {
	forEachBackend(t, func(t *testing.T, c *Client) {
		ctx := testContext(t)
		hs := homes(t, ctx, c)
		tests := []struct {
			name string
			cal  Calendar
		}{
			{"events with color", Calendar{DisplayName: "Work <EWS> & co", Color: "#FF8800FF", Components: []string{"VEVENT"}}},
			{"todos", Calendar{DisplayName: "Tasks", Components: []string{"VTODO"}}},
			{"bare", Calendar{}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				tc.cal.Href = hs.Calendars + uniqueName("mk") + "/"
				if err := c.MakeCalendar(ctx, tc.cal); err != nil {
					t.Fatalf("MakeCalendar(%+v) = %v", tc.cal, err)
				}
				got, err := c.Calendar(ctx, tc.cal.Href)
				if err != nil {
					t.Fatalf("Calendar(%s) = %v", tc.cal.Href, err)
				}
				if got.Href != tc.cal.Href {
					t.Errorf("Calendar().Href = %q, want %q", got.Href, tc.cal.Href)
				}
				if tc.cal.DisplayName != "" && got.DisplayName != tc.cal.DisplayName {
					t.Errorf("Calendar().DisplayName = %q, want %q", got.DisplayName, tc.cal.DisplayName)
				}
				if tc.cal.Color != "" && got.Color != tc.cal.Color {
					t.Errorf("Calendar().Color = %q, want %q", got.Color, tc.cal.Color)
				}
				for _, comp := range tc.cal.Components {
					if !got.SupportsComponent(comp) {
						t.Errorf("Calendar().Components = %v, want %s", got.Components, comp)
					}
				}
				if got.SyncToken == "" {
					t.Errorf("Calendar().SyncToken is empty")
				}
				list, err := c.Calendars(ctx, hs.Calendars)
				if err != nil {
					t.Fatalf("Calendars(%s) = %v", hs.Calendars, err)
				}
				if !containsCalendar(list, tc.cal.Href) {
					t.Errorf("Calendars() = %v, want it to list %s", list, tc.cal.Href)
				}
				if err := c.MakeCalendar(ctx, tc.cal); err == nil {
					t.Errorf("MakeCalendar(%s) twice = nil, want an error", tc.cal.Href)
				}
				if err := c.DeleteCollection(ctx, tc.cal.Href); err != nil {
					t.Fatalf("DeleteCollection(%s) = %v", tc.cal.Href, err)
				}
				if _, err := c.Calendar(ctx, tc.cal.Href); !IsNotFound(err) {
					t.Errorf("Calendar(%s) after delete = %v, want not found", tc.cal.Href, err)
				}
				if err := c.DeleteCollection(ctx, tc.cal.Href); !IsNotFound(err) {
					t.Errorf("DeleteCollection(%s) twice = %v, want not found", tc.cal.Href, err)
				}
			})
		}
	})
}

func containsCalendar(list []Calendar, href string) bool {
	for _, c := range list {
		if c.Href == href {
			return true
		}
	}
	return false
}

func TestAddressBookLifecycle(t *testing.T) {
	forEachBackend(t, func(t *testing.T, c *Client) {
		ctx := testContext(t)
		hs := homes(t, ctx, c)
		book := AddressBook{Href: hs.AddressBooks + uniqueName("book") + "/", DisplayName: "Exchange contacts"}
		if err := c.MakeAddressBook(ctx, book); err != nil {
			t.Fatalf("MakeAddressBook(%+v) = %v", book, err)
		}
		got, err := c.AddressBook(ctx, book.Href)
		if err != nil {
			t.Fatalf("AddressBook(%s) = %v", book.Href, err)
		}
		if got.DisplayName != book.DisplayName || got.SyncToken == "" {
			t.Errorf("AddressBook() = %+v, want display name %q and a sync token", got, book.DisplayName)
		}
		list, err := c.AddressBooks(ctx, hs.AddressBooks)
		if err != nil {
			t.Fatalf("AddressBooks(%s) = %v", hs.AddressBooks, err)
		}
		found := false
		for _, b := range list {
			found = found || b.Href == book.Href
		}
		if !found {
			t.Errorf("AddressBooks() = %v, want it to list %s", list, book.Href)
		}
		// An address book is not a calendar, and the other way round.
		if _, err := c.Calendar(ctx, book.Href); !IsNotFound(err) {
			t.Errorf("Calendar(%s) = %v, want not found", book.Href, err)
		}
		cals, err := c.Calendars(ctx, hs.Calendars)
		if err != nil {
			t.Fatalf("Calendars() = %v", err)
		}
		if containsCalendar(cals, book.Href) {
			t.Errorf("Calendars() lists the address book %s", book.Href)
		}
		if err := c.DeleteCollection(ctx, book.Href); err != nil {
			t.Fatalf("DeleteCollection(%s) = %v", book.Href, err)
		}
		if _, err := c.AddressBook(ctx, book.Href); !IsNotFound(err) {
			t.Errorf("AddressBook(%s) after delete = %v, want not found", book.Href, err)
		}
	})
}
