package dev.alphaflow.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * The module boundaries of DESIGN.md, checked on the compiled main classes of every module: model-runtime knows no
 * Flink, operators reach ONNX Runtime only through model-runtime, and no two packages depend on each other.
 */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        // The modules arrive as class folders (mvn test) or as their jars (mvn verify); their test jars are left out.
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar"))
                .importPackages("dev.alphaflow");
    }

    @Test
    void everyModuleIsImported() {
        for (String pkg : new String[] {"dev.alphaflow.schemas", "dev.alphaflow.model", "dev.alphaflow.operators",
                "dev.alphaflow.jobs"}) {
            org.assertj.core.api.Assertions.assertThat(classes.containPackage(pkg)).as(pkg).isTrue();
        }
    }

    @Test
    void modelRuntimeKnowsNoFlink() {
        noClasses().that().resideInAPackage("dev.alphaflow.model..")
                .should().dependOnClassesThat().resideInAPackage("org.apache.flink..")
                .check(classes);
    }

    @Test
    void operatorsReachOnnxRuntimeOnlyThroughModelRuntime() {
        noClasses().that().resideInAPackage("dev.alphaflow.operators..")
                .should().dependOnClassesThat().resideInAPackage("ai.onnxruntime..")
                .check(classes);
    }

    @Test
    void jobsShareTheirPlumbingAndNeverImportEachOther() {
        for (String job : new String[] {"matting", "segmentation", "instances"}) {
            noClasses().that().resideInAPackage("dev.alphaflow.jobs")
                    .should().dependOnClassesThat().resideInAPackage("dev.alphaflow.jobs." + job + "..")
                    .because("the shared job plumbing must not know the jobs")
                    .check(classes);
        }
        noClasses().that().resideInAPackage("dev.alphaflow.jobs.matting..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.alphaflow.jobs.segmentation..",
                        "dev.alphaflow.jobs.instances..", "dev.alphaflow.jobs.cli..")
                .check(classes);
    }

    @Test
    void noPackageCycles() {
        slices().matching("dev.alphaflow.(**)").should().beFreeOfCycles().check(classes);
    }
}
