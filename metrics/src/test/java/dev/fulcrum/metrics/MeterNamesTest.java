package dev.fulcrum.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.Test;

/** promtool wants a help text on every metric: a meter name added without one fails here, not in a scrape. */
class MeterNamesTest {

    @Test
    void everyMeterNameHasAHelpText() throws IllegalAccessException {
        int names = 0;
        for (Field field : MeterNames.class.getDeclaredFields()) {
            int modifiers = field.getModifiers();
            if (!Modifier.isStatic(modifiers) || !Modifier.isPublic(modifiers) || field.getType() != String.class
                    || field.getName().startsWith("TAG_")) {
                continue;
            }
            String name = (String) field.get(null);
            assertThat(MeterNames.HELP).as("help text of %s (%s)", field.getName(), name).containsKey(name);
            names++;
        }
        assertThat(names).isGreaterThan(20);
    }
}
