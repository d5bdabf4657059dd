// Every page of the dashboard. A page is a module that calls registerPage (lib/router.js); settings sections
// push onto SETTINGS_SECTIONS (pages/settings.js). A new module adds its file here, one import line.
import "./login.js";
import "./records.js";
import "./collection-editor.js";
import "./logs.js";
import "./metrics.js";
import "./superusers.js";
import "./webhooks.js";
import "./changes.js";
import "./functions.js";
import "./mqtt.js";
import "./graphql.js";
import "./sql.js";
import "./settings.js";
import "./settings-backups.js";
import "./settings-apikeys.js";
import "./settings-audit.js";
import "./settings-collections.js";
import "./oauth2-redirect.js";
