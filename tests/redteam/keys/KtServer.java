// Runs Java's keytool (sun.security.tools.keytool.Main) many times in one JVM: one command a
// line on stdin (arguments separated by TAB), answers "0<TAB>output" (newlines as \n). keytool
// itself calls System.exit(1) on an error, which ends this process: ks.py reports it.
import java.io.*;
import java.lang.reflect.Method;

public class KtServer {
    public static void main(String[] a) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        PrintStream realOut = System.out;
        Class<?> c = Class.forName("sun.security.tools.keytool.Main");
        Method run = c.getDeclaredMethod("run", String[].class, PrintStream.class);
        run.setAccessible(true);
        java.lang.reflect.Constructor<?> ctor = c.getDeclaredConstructor();
        ctor.setAccessible(true);
        String line;
        while ((line = in.readLine()) != null) {
            String[] args = line.split("\t");
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            PrintStream ps = new PrintStream(buf, true);
            PrintStream oldErr = System.err;
            System.setErr(ps);
            System.setOut(ps);
            int rc = 0;
            try {
                run.invoke(ctor.newInstance(), args, ps);
            } catch (Throwable t) {
                rc = 1;
                ps.println(t.getCause() != null ? t.getCause() : t);
            } finally {
                System.setErr(oldErr);
                System.setOut(realOut);
            }
            realOut.println(rc + "\t" + buf.toString().replace("\r", "").replace("\n", "\\n"));
            realOut.flush();
        }
    }
}
