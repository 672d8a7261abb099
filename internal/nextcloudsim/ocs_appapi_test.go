package nextcloudsim

import (
	"strings"
	"testing"
)

func TestOCSNotificationAndUsers(t *testing.T) {
	f := newFixture(t, nil)
	body := `{"params":{"object":"app_api","object_id":"n1","subject_type":"app_api_ex_app","subject_params":{"rich_subject":"Sync failed","rich_subject_params":{},"rich_message":"Credentials rejected","rich_message_params":{},"link":""}}}`
	r := f.do(t, "POST", "/ocs/v1.php/apps/app_api/api/v1/notification?format=json", appAPI("alice"), body)
	if env := decodeOCS(t, r); env.OCS.Meta.StatusCode != 100 {
		t.Fatalf("notification = %s", r.body)
	}
	if n := f.s.Notifications(); len(n) != 1 || n[0].User != "alice" || n[0].Subject != "Sync failed" || n[0].Message != "Credentials rejected" {
		t.Errorf("Notifications() = %+v", n)
	}
	if r := f.do(t, "POST", "/ocs/v1.php/apps/app_api/api/v1/notification?format=json", appAPI(""), body); r.status != 401 {
		t.Errorf("notification with empty user = %d, want 401", r.status)
	}
	r = f.do(t, "GET", "/ocs/v1.php/apps/app_api/api/v1/users?format=json", appAPI(""), "")
	if !strings.Contains(r.body, `"data":["admin","alice"]`) {
		t.Errorf("users = %s", r.body)
	}
	if r := f.do(t, "GET", "/ocs/v2.php/cloud/users?format=json", appAPI(""), ""); r.status != 401 {
		t.Errorf("cloud/users with empty user = %d, want 401", r.status)
	}
	if r := f.do(t, "GET", "/ocs/v2.php/cloud/users?format=json", appAPI("alice"), ""); r.status != 403 {
		t.Errorf("cloud/users as alice = %d, want 403", r.status)
	}
	if r := f.do(t, "GET", "/ocs/v2.php/cloud/users?format=json", appAPI("admin"), ""); !strings.Contains(r.body, `"users":["admin","alice"]`) {
		t.Errorf("cloud/users as admin = %s", r.body)
	}
	r = f.do(t, "GET", "/ocs/v2.php/cloud/users/admin/groups?format=json", appAPI("admin"), "")
	if !strings.Contains(r.body, `"groups":["admin"]`) {
		t.Errorf("admin groups = %s", r.body)
	}
	r = f.do(t, "GET", "/ocs/v2.php/cloud/users/admin/groups?format=json", appAPI("alice"), "")
	if r.status != 403 {
		t.Errorf("alice reading admin's groups = %d, want 403", r.status)
	}
	r = f.do(t, "GET", "/ocs/v2.php/cloud/user?format=json", appAPI("alice"), "")
	if !strings.Contains(r.body, `"groups":[]`) || r.header.Get("X-User-Id") != "alice" {
		t.Errorf("cloud/user as alice = %s", r.body)
	}
}

func TestOCSCapabilities(t *testing.T) {
	f := newFixture(t, nil)
	r := f.do(t, "GET", "/ocs/v1.php/cloud/capabilities?format=json", appAPI(""), "")
	if !strings.Contains(r.body, `"app_api":{"version":"32.0.0"}`) || !strings.Contains(r.body, `"string":"32.0.1"`) {
		t.Errorf("capabilities without user (0030) = %s", r.body)
	}
	r = f.do(t, "GET", "/ocs/v1.php/cloud/capabilities?format=json", appAPI("admin"), "")
	if !strings.Contains(r.body, `"app_api":{"loglevel":1,"version":"32.0.0"}`) {
		t.Errorf("capabilities as admin (0029) = %s", r.body)
	}
}
