package wire

import "encoding/xml"

// CalendarItem is an EWS calendar item (CalendarItemType): the base item
// fields, then the calendar properties in the schema's sequence order.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/calendaritem
type CalendarItem struct {
	ItemFields
	UID                       string               `xml:"UID,omitempty"`
	RecurrenceId              string               `xml:"RecurrenceId,omitempty"`
	DateTimeStamp             string               `xml:"DateTimeStamp,omitempty"`
	Start                     string               `xml:"Start,omitempty"`
	End                       string               `xml:"End,omitempty"`
	OriginalStart             string               `xml:"OriginalStart,omitempty"`
	IsAllDayEvent             *bool                `xml:"IsAllDayEvent,omitempty"`
	LegacyFreeBusyStatus      string               `xml:"LegacyFreeBusyStatus,omitempty"` // Free, Tentative, Busy, OOF, WorkingElsewhere, NoData
	Location                  string               `xml:"Location,omitempty"`
	When                      string               `xml:"When,omitempty"`
	IsMeeting                 *bool                `xml:"IsMeeting,omitempty"`
	IsCancelled               *bool                `xml:"IsCancelled,omitempty"`
	IsRecurring               *bool                `xml:"IsRecurring,omitempty"`
	MeetingRequestWasSent     *bool                `xml:"MeetingRequestWasSent,omitempty"`
	IsResponseRequested       *bool                `xml:"IsResponseRequested,omitempty"`
	CalendarItemType          string               `xml:"CalendarItemType,omitempty"` // Single, Occurrence, Exception, RecurringMaster
	MyResponseType            string               `xml:"MyResponseType,omitempty"`
	Organizer                 *SingleRecipient     `xml:"Organizer,omitempty"`
	RequiredAttendees         *Attendees           `xml:"RequiredAttendees,omitempty"`
	OptionalAttendees         *Attendees           `xml:"OptionalAttendees,omitempty"`
	Resources                 *Attendees           `xml:"Resources,omitempty"`
	ConflictingMeetingCount   *int                 `xml:"ConflictingMeetingCount,omitempty"`
	AdjacentMeetingCount      *int                 `xml:"AdjacentMeetingCount,omitempty"`
	Duration                  string               `xml:"Duration,omitempty"`
	TimeZone                  string               `xml:"TimeZone,omitempty"`
	AppointmentReplyTime      string               `xml:"AppointmentReplyTime,omitempty"`
	AppointmentSequenceNumber *int                 `xml:"AppointmentSequenceNumber,omitempty"`
	AppointmentState          *int                 `xml:"AppointmentState,omitempty"`
	Recurrence                *Recurrence          `xml:"Recurrence,omitempty"`
	FirstOccurrence           *OccurrenceInfo      `xml:"FirstOccurrence,omitempty"`
	LastOccurrence            *OccurrenceInfo      `xml:"LastOccurrence,omitempty"`
	ModifiedOccurrences       *ModifiedOccurrences `xml:"ModifiedOccurrences,omitempty"`
	DeletedOccurrences        *DeletedOccurrences  `xml:"DeletedOccurrences,omitempty"`
	MeetingTimeZone           *MeetingTimeZone     `xml:"MeetingTimeZone,omitempty"`
	StartTimeZone             *TimeZoneDefinition  `xml:"StartTimeZone,omitempty"`
	EndTimeZone               *TimeZoneDefinition  `xml:"EndTimeZone,omitempty"`
	ConferenceType            *int                 `xml:"ConferenceType,omitempty"`
	AllowNewTimeProposal      *bool                `xml:"AllowNewTimeProposal,omitempty"`
	IsOnlineMeeting           *bool                `xml:"IsOnlineMeeting,omitempty"`
	MeetingWorkspaceUrl       string               `xml:"MeetingWorkspaceUrl,omitempty"`
	NetShowUrl                string               `xml:"NetShowUrl,omitempty"`
	StartWallClock            string               `xml:"StartWallClock,omitempty"`
	EndWallClock              string               `xml:"EndWallClock,omitempty"`
	StartTimeZoneId           string               `xml:"StartTimeZoneId,omitempty"`
	EndTimeZoneId             string               `xml:"EndTimeZoneId,omitempty"`
	IntendedFreeBusyStatus    string               `xml:"IntendedFreeBusyStatus,omitempty"`
	JoinOnlineMeetingUrl      string               `xml:"JoinOnlineMeetingUrl,omitempty"`
	IsOrganizer               *bool                `xml:"IsOrganizer,omitempty"`
	DoNotForwardMeeting       *bool                `xml:"DoNotForwardMeeting,omitempty"`
}

// Calendar item types (CalendarItemTypeType).
const (
	CalendarItemSingle          = "Single"
	CalendarItemOccurrence      = "Occurrence"
	CalendarItemException       = "Exception"
	CalendarItemRecurringMaster = "RecurringMaster"
)

// Mailbox is an EmailAddressType: a person or resource.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/mailbox
type Mailbox struct {
	Name         string  `xml:"Name,omitempty"`
	EmailAddress string  `xml:"EmailAddress,omitempty"`
	RoutingType  string  `xml:"RoutingType,omitempty"` // SMTP, EX
	MailboxType  string  `xml:"MailboxType,omitempty"`
	ItemId       *ItemId `xml:"ItemId,omitempty"`
}

// SingleRecipient wraps one Mailbox (Organizer, ManagerMailbox).
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/organizer
type SingleRecipient struct {
	Mailbox Mailbox `xml:"Mailbox"`
}

// Recipients is an ArrayOfRecipientsType.
type Recipients struct {
	Mailbox []Mailbox `xml:"Mailbox"`
}

// Attendees is a NonEmptyArrayOfAttendeesType.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/requiredattendees
type Attendees struct {
	Attendee []Attendee `xml:"Attendee"`
}

// Attendee is one meeting attendee with its response.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/attendee
type Attendee struct {
	Mailbox          Mailbox `xml:"Mailbox"`
	ResponseType     string  `xml:"ResponseType,omitempty"` // Unknown, Organizer, Tentative, Accept, Decline, NoResponseReceived
	LastResponseTime string  `xml:"LastResponseTime,omitempty"`
	ProposedStart    string  `xml:"ProposedStart,omitempty"`
	ProposedEnd      string  `xml:"ProposedEnd,omitempty"`
}

// Recurrence is a RecurrenceType: exactly one pattern and one range.
// The pointer fields keep the schema's order: pattern choices, then ranges.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/recurrence-recurrencetype
type Recurrence struct {
	RelativeYearly  *RelativeYearlyRecurrence  `xml:"RelativeYearlyRecurrence,omitempty"`
	AbsoluteYearly  *AbsoluteYearlyRecurrence  `xml:"AbsoluteYearlyRecurrence,omitempty"`
	RelativeMonthly *RelativeMonthlyRecurrence `xml:"RelativeMonthlyRecurrence,omitempty"`
	AbsoluteMonthly *AbsoluteMonthlyRecurrence `xml:"AbsoluteMonthlyRecurrence,omitempty"`
	Weekly          *WeeklyRecurrence          `xml:"WeeklyRecurrence,omitempty"`
	Daily           *DailyRecurrence           `xml:"DailyRecurrence,omitempty"`
	NoEnd           *NoEndRecurrence           `xml:"NoEndRecurrence,omitempty"`
	EndDate         *EndDateRecurrence         `xml:"EndDateRecurrence,omitempty"`
	Numbered        *NumberedRecurrence        `xml:"NumberedRecurrence,omitempty"`
}

// RelativeYearlyRecurrence: e.g. the last Monday of May every year.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/relativeyearlyrecurrence
type RelativeYearlyRecurrence struct {
	DaysOfWeek     string `xml:"DaysOfWeek"`     // one DayOfWeekType: Sunday..Saturday, Day, Weekday, WeekendDay
	DayOfWeekIndex string `xml:"DayOfWeekIndex"` // First, Second, Third, Fourth, Last
	Month          string `xml:"Month"`          // January..December
}

// AbsoluteYearlyRecurrence: e.g. every 15 April.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/absoluteyearlyrecurrence
type AbsoluteYearlyRecurrence struct {
	DayOfMonth int    `xml:"DayOfMonth"`
	Month      string `xml:"Month"`
}

// RelativeMonthlyRecurrence: e.g. the second Tuesday every 2 months.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/relativemonthlyrecurrence
type RelativeMonthlyRecurrence struct {
	Interval       int    `xml:"Interval"`
	DaysOfWeek     string `xml:"DaysOfWeek"`
	DayOfWeekIndex string `xml:"DayOfWeekIndex"`
}

// AbsoluteMonthlyRecurrence: e.g. the 15th of every month.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/absolutemonthlyrecurrence
type AbsoluteMonthlyRecurrence struct {
	Interval   int `xml:"Interval"`
	DayOfMonth int `xml:"DayOfMonth"`
}

// WeeklyRecurrence: DaysOfWeek is a space-separated list ("Monday Wednesday").
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/weeklyrecurrence
type WeeklyRecurrence struct {
	Interval       int    `xml:"Interval"`
	DaysOfWeek     string `xml:"DaysOfWeek"`
	FirstDayOfWeek string `xml:"FirstDayOfWeek,omitempty"` // Exchange 2010 SP1 and later
}

// DailyRecurrence: every Interval days.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/dailyrecurrence
type DailyRecurrence struct {
	Interval int `xml:"Interval"`
}

// NoEndRecurrence is an open-ended range. StartDate is an xs:date, but some
// servers send a dateTime (grommunio): read it with ParseDateTime.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/noendrecurrence
type NoEndRecurrence struct {
	StartDate string `xml:"StartDate"`
}

// EndDateRecurrence ends on EndDate (inclusive, a date in the series' zone).
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/enddaterecurrence
type EndDateRecurrence struct {
	StartDate string `xml:"StartDate"`
	EndDate   string `xml:"EndDate"`
}

// NumberedRecurrence ends after NumberOfOccurrences (at most 999).
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/numberedrecurrence
type NumberedRecurrence struct {
	StartDate           string `xml:"StartDate"`
	NumberOfOccurrences int    `xml:"NumberOfOccurrences"`
}

// OccurrenceInfo describes one occurrence (FirstOccurrence, LastOccurrence,
// or a modified one).
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/occurrence
type OccurrenceInfo struct {
	ItemId        ItemId `xml:"ItemId"`
	Start         string `xml:"Start"`
	End           string `xml:"End"`
	OriginalStart string `xml:"OriginalStart"`
}

// ModifiedOccurrences lists the exceptions of a recurring master.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/modifiedoccurrences
type ModifiedOccurrences struct {
	Occurrence []OccurrenceInfo `xml:"Occurrence"`
}

// DeletedOccurrences lists the cancelled occurrences of a recurring master.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/deletedoccurrences
type DeletedOccurrences struct {
	DeletedOccurrence []DeletedOccurrence `xml:"DeletedOccurrence"`
}

// DeletedOccurrence is the start of one cancelled occurrence.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/deletedoccurrence
type DeletedOccurrence struct {
	Start string `xml:"Start"`
}

// TimeZoneDefinition is Exchange 2010+'s time zone: an Id (a Windows zone
// name), and optionally its periods and transitions.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/timezonedefinition
type TimeZoneDefinition struct {
	Id                string              `xml:"Id,attr,omitempty"`
	Name              string              `xml:"Name,attr,omitempty"`
	Periods           *Periods            `xml:"Periods,omitempty"`
	TransitionsGroups *TransitionsGroups  `xml:"TransitionsGroups,omitempty"`
	Transitions       *TransitionsElement `xml:"Transitions,omitempty"`
}

// Periods lists a time zone's periods (standard and daylight offsets).
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/periods
type Periods struct {
	Period []Period `xml:"Period"`
}

// Period is one offset from UTC: Bias is an xs:duration ("-PT1H") to add to
// local time to get UTC.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/period
type Period struct {
	Bias string `xml:"Bias,attr"`
	Name string `xml:"Name,attr"`
	Id   string `xml:"Id,attr"`
}

// TransitionsGroups lists groups of yearly transitions.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/transitionsgroups
type TransitionsGroups struct {
	TransitionsGroup []TransitionsGroup `xml:"TransitionsGroup"`
}

// TransitionsGroup is an ordered list of transitions (any of the Transition
// substitutes), with an Id the Transitions element refers to.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/transitionsgroup
type TransitionsGroup struct {
	Id         string       `xml:"Id,attr"`
	Transition []Transition `xml:",any"`
}

// TransitionsElement is the Transitions element: which group applies from
// when, in order.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/transitions
type TransitionsElement struct {
	Transition []Transition `xml:",any"`
}

// Transition is one of Transition, AbsoluteDateTransition,
// RecurringDayTransition or RecurringDateTransition; XMLName tells which. The
// fields are in the order shared by all four kinds; a kind only sets its own.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/recurringdaytransition
type Transition struct {
	XMLName    xml.Name
	To         TransitionTarget `xml:"To"`
	DateTime   string           `xml:"DateTime,omitempty"`   // AbsoluteDateTransition
	TimeOffset string           `xml:"TimeOffset,omitempty"` // Recurring*: xs:duration after midnight
	Month      int              `xml:"Month,omitempty"`      // Recurring*: 1..12
	DayOfWeek  string           `xml:"DayOfWeek,omitempty"`  // RecurringDayTransition
	Occurrence int              `xml:"Occurrence,omitempty"` // RecurringDayTransition: 1..4, or -1 for last
	Day        int              `xml:"Day,omitempty"`        // RecurringDateTransition
}

// TransitionTarget names the period or group a transition leads to.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/to
type TransitionTarget struct {
	Kind  string `xml:"Kind,attr"` // Period or Group
	Value string `xml:",chardata"`
}

// MeetingTimeZone is the Exchange 2007 time zone of a calendar item.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/meetingtimezone
type MeetingTimeZone struct {
	TimeZoneName string      `xml:"TimeZoneName,attr,omitempty"`
	BaseOffset   string      `xml:"BaseOffset,omitempty"`
	Standard     *TimeChange `xml:"Standard,omitempty"`
	Daylight     *TimeChange `xml:"Daylight,omitempty"`
}

// TimeChange is a legacy (Exchange 2007) standard or daylight rule.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/standard
type TimeChange struct {
	TimeZoneName   string                    `xml:"TimeZoneName,attr,omitempty"`
	Offset         string                    `xml:"Offset"`
	RelativeYearly *RelativeYearlyRecurrence `xml:"RelativeYearlyRecurrence,omitempty"`
	AbsoluteDate   string                    `xml:"AbsoluteDate,omitempty"`
	Time           string                    `xml:"Time"`
}
