/* modemux-sim: a scriptable Qualcomm modem (docs/simulator.md). */
#define G_LOG_DOMAIN "sim-main"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <string.h>
#include <glib-unix.h>

#include "sim-modem.h"
#include "sim-qmux.h"
#include "sim-control.h"

static gchar   *opt_scenario;
static gchar  **opt_qmi_proxy;     /* may be given several times */
static gboolean opt_qmi_proxy_default;
static gchar  **opt_pty;
static gchar   *opt_control;
static gchar   *opt_log;
static gchar   *opt_ctl;
static gboolean opt_die_with_parent;

static gboolean
qmi_proxy_cb (const gchar *name, const gchar *value, gpointer data, GError **error)
{
    if (!value || !*value) {
        opt_qmi_proxy_default = TRUE;
        return TRUE;
    }
    {
        guint n = opt_qmi_proxy ? g_strv_length (opt_qmi_proxy) : 0;

        opt_qmi_proxy = g_renew (gchar *, opt_qmi_proxy, n + 2);
        opt_qmi_proxy[n] = g_strdup (value);
        opt_qmi_proxy[n + 1] = NULL;
    }
    return TRUE;
}

static GOptionEntry entries[] = {
    { "scenario", 's', 0, G_OPTION_ARG_FILENAME, &opt_scenario, "Scenario file (GKeyFile)", "FILE" },
    { "qmi-proxy", 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, qmi_proxy_cb,
      "Serve QMI as a fake qmi-proxy on abstract socket NAME (default qmi-proxy)", "NAME" },
    { "pty", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_pty, "Serve QMUX on a pty; PATH becomes a symlink to the slave", "PATH" },
    { "control", 0, 0, G_OPTION_ARG_FILENAME, &opt_control, "Control socket (unix socket path)", "PATH" },
    { "log", 0, 0, G_OPTION_ARG_FILENAME, &opt_log, "Log file (default stderr)", "FILE" },
    { "die-with-parent", 0, 0, G_OPTION_ARG_NONE, &opt_die_with_parent,
      "Exit (cleanly, via SIGTERM) when the process that started the simulator dies", NULL },
    { "ctl", 0, 0, G_OPTION_ARG_FILENAME, &opt_ctl, "Client mode: send the remaining arguments as a command to the control socket PATH", "PATH" },
    { NULL }
};

static gboolean
quit_cb (gpointer user_data)
{
    g_main_loop_quit (user_data);
    return G_SOURCE_CONTINUE;
}

static gboolean
cmd_shutdown (SimModem *modem, gchar **argv, GString *out, gpointer user_data, GError **error)
{
    g_idle_add_once ((GSourceOnceFunc) g_main_loop_quit, user_data);
    return TRUE;
}

int
main (int argc, char **argv)
{
    g_autoptr(GOptionContext) context = g_option_context_new ("- simulated Qualcomm modem");
    g_autoptr(GError) error = NULL;
    g_autoptr(GMainLoop) loop = NULL;
    GPtrArray *qmuxes = g_ptr_array_new_with_free_func ((GDestroyNotify) sim_qmux_free);
    const SimModule **modules;
    guint n_modules;
    gboolean started[16] = { FALSE };
    SimControl *control = NULL;
    SimScenario *scenario;
    SimModem *modem;
    FILE *log_file = NULL;
    guint sigterm_id, sigint_id;
    int status = 0;

    /* A client closing its proxy connection while we answer must not kill us. */
    signal (SIGPIPE, SIG_IGN);
    g_option_context_add_main_entries (context, entries, NULL);
    modules = sim_get_modules (&n_modules);
    for (guint i = 0; i < n_modules; i++)
        if (modules[i]->entries)
            g_option_context_add_main_entries (context, modules[i]->entries, NULL);
    if (!g_option_context_parse (context, &argc, &argv, &error)) {
        fprintf (stderr, "modemux-sim: %s\n", error->message);
        g_ptr_array_unref (qmuxes);
        return 2;
    }
    if (opt_ctl) {
        /* "--ctl PATH -- signal -89": GOption leaves the "--" in place. */
        if (argc >= 2 && g_str_equal (argv[1], "--")) {
            argv++;
            argc--;
        }
        if (argc < 2) {
            fprintf (stderr, "modemux-sim --ctl PATH COMMAND [ARGS...]\n");
            status = 2;
        } else
            status = sim_control_client_run (opt_ctl, argv + 1);
        g_ptr_array_unref (qmuxes);
        g_free (opt_ctl);
        return status;
    }

    /* A test runner killed by a timeout must not leave simulators behind. */
    if (opt_die_with_parent && prctl (PR_SET_PDEATHSIG, SIGTERM) < 0) {
        fprintf (stderr, "modemux-sim: prctl: %s\n", g_strerror (errno));
        g_ptr_array_unref (qmuxes);
        return 2;
    }
    scenario = sim_scenario_load (opt_scenario, &error);
    if (!scenario) {
        fprintf (stderr, "modemux-sim: %s\n", error->message);
        g_ptr_array_unref (qmuxes);
        return 2;
    }
    modem = sim_modem_new (scenario);
    if (opt_log) {
        log_file = fopen (opt_log, "a");
        if (!log_file) {
            fprintf (stderr, "modemux-sim: cannot open %s: %s\n", opt_log, g_strerror (errno));
            status = 2;
            goto out;
        }
        sim_modem_set_log_file (modem, log_file);
    }
    loop = g_main_loop_new (NULL, FALSE);
    sim_control_add_builtins (modem);
    sim_modem_add_control_command (modem, "shutdown", "shutdown: exit cleanly", cmd_shutdown, loop);
    sim_modem_log (modem, "scenario: %s", opt_scenario ? opt_scenario : "(built-in default)");

    if (opt_qmi_proxy_default) {
        SimQmux *q = sim_qmux_new_proxy (modem, NULL, &error);

        if (!q)
            goto fail;
        g_ptr_array_add (qmuxes, q);
    }
    for (guint i = 0; opt_qmi_proxy && opt_qmi_proxy[i]; i++) {
        SimQmux *q = sim_qmux_new_proxy (modem, opt_qmi_proxy[i], &error);

        if (!q)
            goto fail;
        g_ptr_array_add (qmuxes, q);
    }
    for (guint i = 0; opt_pty && opt_pty[i]; i++) {
        SimQmux *q = sim_qmux_new_pty (modem, opt_pty[i], &error);

        if (!q)
            goto fail;
        g_ptr_array_add (qmuxes, q);
    }
    for (guint i = 0; i < n_modules; i++) {
        if (modules[i]->enabled && !modules[i]->enabled ())
            continue;
        if (!modules[i]->start (modem, &error)) {
            g_prefix_error (&error, "%s: ", modules[i]->name);
            goto fail;
        }
        started[i] = TRUE;
    }
    if (opt_control) {
        control = sim_control_new (modem, opt_control, &error);
        if (!control)
            goto fail;
    }

    sigterm_id = g_unix_signal_add (SIGTERM, quit_cb, loop);
    sigint_id = g_unix_signal_add (SIGINT, quit_cb, loop);
    /* Tests wait for this line before starting clients. */
    printf ("modemux-sim ready\n");
    fflush (stdout);
    g_main_loop_run (loop);
    sim_modem_log (modem, "shutting down");
    g_source_remove (sigterm_id);
    g_source_remove (sigint_id);
    goto out;

fail:
    fprintf (stderr, "modemux-sim: %s\n", error->message);
    status = 1;
out:
    sim_control_free (control);
    g_ptr_array_unref (qmuxes);
    for (guint i = n_modules; i > 0; i--)
        if (started[i - 1])
            modules[i - 1]->stop (modem);
    sim_modem_free (modem);
    if (log_file)
        fclose (log_file);
    g_free (opt_scenario);
    g_strfreev (opt_qmi_proxy);
    g_strfreev (opt_pty);
    g_free (opt_control);
    g_free (opt_log);
    return status;
}
