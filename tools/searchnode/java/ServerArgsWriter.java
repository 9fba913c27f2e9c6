import java.io.FileOutputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.elasticsearch.bootstrap.ServerArgs;
import org.elasticsearch.common.io.stream.OutputStreamStreamOutput;
import org.elasticsearch.common.settings.KeyStoreWrapper;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.node.InternalSettingsPreparer;

/**
 * Writes the binary start-up arguments that the Elasticsearch server process reads from its
 * standard input. The distribution's command-line launcher normally produces them; it is not
 * published to Maven Central, so this does the same few steps: read config/elasticsearch.yml,
 * apply overrides, attach an empty keystore.
 *
 * <p>Usage: {@code ServerArgsWriter HOME PIDFILE OUTFILE [key=value ...]}
 */
public final class ServerArgsWriter {
    private ServerArgsWriter() {}

    public static void main(String[] argv) throws Exception {
        if (argv.length < 3) {
            System.err.println("usage: ServerArgsWriter HOME PIDFILE OUTFILE [key=value ...]");
            System.exit(2);
        }
        Path home = Path.of(argv[0]).toAbsolutePath();
        Path pidFile = Path.of(argv[1]).toAbsolutePath();
        Path configDir = home.resolve("config");
        Map<String, String> overrides = new HashMap<>();
        for (int i = 3; i < argv.length; i++) {
            int eq = argv[i].indexOf('=');
            if (eq <= 0) {
                System.err.println("override must be key=value: " + argv[i]);
                System.exit(2);
            }
            overrides.put(argv[i].substring(0, eq), argv[i].substring(eq + 1));
        }
        Settings input = Settings.builder().put("path.home", home.toString()).build();
        Environment env = InternalSettingsPreparer.prepareEnvironment(input, overrides, configDir, () -> "searchnode");
        // daemonize=true: the server closes its standard streams once it is ready instead of
        // treating end-of-input on stdin as a shutdown request.
        ServerArgs args = new ServerArgs(true, false, pidFile, KeyStoreWrapper.create(), env.settings(), configDir, env.logsFile());
        try (var out = new OutputStreamStreamOutput(new FileOutputStream(argv[2]))) {
            args.writeTo(out);
        }
    }
}
