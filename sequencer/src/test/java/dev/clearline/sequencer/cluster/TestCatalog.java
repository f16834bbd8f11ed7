package dev.clearline.sequencer.cluster;

import io.aeron.archive.ArchiveTool;
import io.aeron.archive.codecs.RecordingDescriptorDecoder;
import java.io.File;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.function.Consumer;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;

/**
 * Aeron's archive catalog, package-private, opened read-write by reflection the way {@link ArchiveCheck}
 * reaches it: for tests that leave on disk what a SIGKILL in the middle of recording leaves.
 */
final class TestCatalog implements AutoCloseable {
    private final AutoCloseable catalog;
    private final Class<?> processor;
    private final Method forEach;
    private final Method stopPosition;
    private final Method addNewRecording;

    private TestCatalog(File archive) throws Exception {
        Method open = ArchiveTool.class.getDeclaredMethod("openCatalogReadWrite", File.class, EpochClock.class, long.class,
                io.aeron.archive.checksum.Checksum.class, java.util.function.IntConsumer.class);
        open.setAccessible(true);
        Class<?> catalogClass = Class.forName("io.aeron.archive.Catalog");
        processor = Class.forName("io.aeron.archive.Catalog$CatalogEntryProcessor");
        forEach = accessible(catalogClass.getDeclaredMethod("forEach", processor));
        stopPosition = accessible(catalogClass.getDeclaredMethod("stopPosition", long.class, long.class));
        addNewRecording = accessible(catalogClass.getDeclaredMethod("addNewRecording", long.class, long.class, int.class, int.class, int.class,
                int.class, int.class, int.class, String.class, String.class, String.class));
        catalog = (AutoCloseable) open.invoke(null, archive, SystemEpochClock.INSTANCE, 32L, new FrameChecksum(), null);
    }

    static TestCatalog open(File archive) throws Exception {
        return new TestCatalog(archive);
    }

    /** Every entry's descriptor, in catalog order. */
    void forEach(Consumer<RecordingDescriptorDecoder> visitor) throws Exception {
        Object each = Proxy.newProxyInstance(processor.getClassLoader(), new Class<?>[] {processor}, (proxy, method, args) -> {
            if (method.getName().equals("accept")) visitor.accept((RecordingDescriptorDecoder) args[4]);
            return method.getName().equals("hashCode") ? 0 : method.getName().equals("equals") ? false : null;
        });
        forEach.invoke(catalog, each);
    }

    void stopPosition(long recordingId, long position) throws Exception {
        stopPosition.invoke(catalog, recordingId, position);
    }

    /** A new entry with {@code fields} as {@code Catalog.addNewRecording} takes them; its recording id. */
    long addNewRecording(Object[] fields) throws Exception {
        return (Long) addNewRecording.invoke(catalog, fields);
    }

    @Override
    public void close() throws Exception {
        catalog.close();
    }

    private static Method accessible(Method m) {
        m.setAccessible(true);
        return m;
    }
}
